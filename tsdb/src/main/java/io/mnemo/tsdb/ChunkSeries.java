package io.mnemo.tsdb;

import io.mnemo.tsdb.chunkenc.ChunkMeta;

/** A series backed by chunks of any encoding, whose iterators see only samples in [mint, maxt]. */
public final class ChunkSeries implements Series {
    private final Labels labels;
    private final ChunkMeta[] chunks;
    private final long mint;
    private final long maxt;

    /** @param chunks time-ordered, non-overlapping; not copied */
    public ChunkSeries(Labels labels, ChunkMeta[] chunks, long mint, long maxt) {
        this.labels = labels;
        this.chunks = chunks;
        this.mint = mint;
        this.maxt = maxt;
    }

    @Override
    public Labels labels() { return labels; }

    /** The chunks as given: they may hold samples outside [mint, maxt]. */
    public ChunkMeta[] chunks() { return chunks; }

    public long mint() { return mint; }

    public long maxt() { return maxt; }

    @Override
    public SampleIterator iterator() {
        return new ChunkSeriesIterator(chunks, mint, maxt);
    }

    /**
     * Whether chunks that overlap [mint, maxt] (time-ordered, as a block's index lists them) hold
     * a sample in it: only a lone chunk reaching past both ends can overlap the range without one.
     * Stores answer a series only if it does.
     */
    public static boolean hasSampleIn(ChunkMeta[] chunks, long mint, long maxt) {
        if (chunks.length == 0) return false;
        if (chunks.length > 1) return true;
        ChunkMeta c = chunks[0];
        if (c.minTime() >= mint || c.maxTime() <= maxt) return true;
        return new ChunkSeriesIterator(chunks, mint, maxt).next();
    }

    @Override
    public String toString() { return labels.toString(); }
}
