package io.mnemo.promql.ast;

/** Where a node sits in the query text: character offsets, start inclusive, end exclusive. */
public record PositionRange(int start, int end) {
    public static final PositionRange NONE = new PositionRange(-1, -1);

    public PositionRange to(PositionRange other) { return new PositionRange(start, other.end); }

    public PositionRange withEnd(int newEnd) { return new PositionRange(start, newEnd); }

    public PositionRange withStart(int newStart) { return new PositionRange(newStart, end); }
}
