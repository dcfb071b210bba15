package io.mnemo.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.Test;

/** Prometheus's out-of-bounds rule: per batch, nothing older than max(blocks' end, high-water mark - range / 2). */
class OutOfBoundsHeadTest {
    static final long RANGE = 7_200_000L;
    static final long T0 = 1_699_999_200_000L;
    static final long HOUR = 3_600_000L;

    private static Labels labels(int s) {
        return Labels.of("__name__", "m", "s", Integer.toString(s));
    }

    @Test
    void anEmptyHeadIsSeededByItsFirstSampleAndTheBoundMovesPerBatch() {
        Head head = new Head(RANGE);
        int a = head.getOrCreateSeries(labels(0));
        int b = head.getOrCreateSeries(labels(1));
        head.beginAppend();
        assertEquals(Long.MIN_VALUE, head.inOrderMinTime(), "no bound before the first sample");
        head.seed(T0);
        assertEquals(T0 - HOUR, head.inOrderMinTime(), "half a range before the first sample");
        assertEquals(AppendResult.OK, head.append(a, T0, 1));
        assertEquals(AppendResult.OK, head.append(b, T0 - HOUR, 1), "at the bound: in order");
        assertEquals(AppendResult.OK, head.append(a, T0 + 10 * HOUR, 2), "newer samples raise the mark, not this batch's bound");
        assertEquals(AppendResult.OK, head.append(b, T0 + HOUR, 2));
        assertEquals(T0 + 10 * HOUR, head.highWaterMark());

        head.beginAppend();
        assertEquals(T0 + 9 * HOUR, head.inOrderMinTime());
        int c = head.getOrCreateSeries(labels(2));
        assertEquals(AppendResult.OUT_OF_BOUNDS, head.append(c, T0 + 9 * HOUR - 1, 1), "a new series, but out of bounds");
        assertEquals(AppendResult.OUT_OF_BOUNDS, head.append(b, T0 + 2 * HOUR, 3), "after b's newest, out of bounds");
        assertEquals(AppendResult.OK, head.append(b, T0 + 9 * HOUR, 3));
        assertEquals(2, head.outOfBounds());
        assertEquals(0, head.outOfOrder() + head.tooOld());
        head.seed(T0 + 100 * HOUR);
        assertEquals(T0 + 10 * HOUR, head.highWaterMark(), "seeding a head with a mark does nothing");
    }

    @Test
    void theBoundIsTheLaterOfTheBlocksEndAndTheMark() {
        Head head = new Head(RANGE);
        int a = head.getOrCreateSeries(labels(0));
        head.setMinValidTime(T0);
        head.beginAppend();
        head.seed(T0 - 5 * HOUR);
        assertEquals(T0, head.inOrderMinTime(), "the blocks' end is later");
        assertEquals(AppendResult.OUT_OF_BOUNDS, head.append(a, T0 - 5 * HOUR, 1), "the seed itself is in blocks");
        assertEquals(AppendResult.OK, head.append(a, T0, 1));
    }

    @Test
    void truncationKeepsTheMark() {
        Head head = new Head(RANGE);
        int a = head.getOrCreateSeries(labels(0));
        head.beginAppend();
        head.seed(T0);
        head.append(a, T0, 1);
        head.truncate(T0 + 1);
        assertEquals(0, head.numSeries());
        assertEquals(Long.MIN_VALUE, head.maxTime());
        assertEquals(T0, head.highWaterMark(), "a flushed head keeps its mark");
        head.setMinValidTime(T0 + 1);
        head.beginAppend();
        head.seed(T0 - 10 * HOUR);
        assertEquals(T0 + 1, head.inOrderMinTime(), "not seeded again");
    }

    @Test
    void withAWindowOutOfBoundsSamplesGoOutOfOrderOrAreTooOld() {
        Head head = new Head(RANGE);
        head.setOutOfOrderTimeWindow(3 * HOUR);
        int a = head.getOrCreateSeries(labels(0));
        int b = head.getOrCreateSeries(labels(1));
        head.beginAppend();
        head.seed(T0);
        head.append(a, T0, 1);
        head.append(a, T0 + 4 * HOUR, 2);
        head.beginAppend();
        assertEquals(T0 + 3 * HOUR, head.inOrderMinTime());
        assertEquals(T0 + HOUR, head.minAppendableTime(), "the window reaches further back");
        assertTrue(head.isOutOfOrder(b, T0 + 2 * HOUR));
        assertFalse(head.isOutOfOrder(b, T0 + 3 * HOUR));
        assertEquals(AppendResult.OK_OUT_OF_ORDER, head.append(b, T0 + 2 * HOUR, 1), "out of bounds, inside the window");
        assertEquals(AppendResult.TOO_OLD, head.append(b, T0 + HOUR - 1, 1), "beyond the window");
        assertEquals(0, head.outOfBounds(), "with a window nothing is out of bounds");
    }

    @Test
    void clientTimestampsNearTheLimitsDoNotWrap() {
        Head head = new Head(RANGE);
        int a = head.getOrCreateSeries(labels(0));
        head.beginAppend();
        head.seed(Long.MIN_VALUE + 5);
        assertEquals(Long.MIN_VALUE, head.inOrderMinTime());
        assertEquals(AppendResult.OK, head.append(a, Long.MIN_VALUE + 5, 1));
        head.beginAppend();
        assertEquals(Long.MIN_VALUE, head.inOrderMinTime());
    }
}
