package io.mnemo.actors.ingester;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mnemo.persistence.serialization.KryoSerializer;
import org.junit.jupiter.api.Test;

/**
 * The journal event, with records refused for their format version in it: journaled as null,
 * they stay readable, are never applied, and their offsets count as consumed.
 */
class BatchConsumedTest {
    static final long HOUR = 3_600_000L;

    @Test
    void aRefusedRecordIsJournaledAsNullAndReadBack() throws Exception {
        KryoSerializer kryo = new KryoSerializer(getClass().getClassLoader());
        BatchConsumed e = new BatchConsumed(new long[] {5, 6, 7}, new String[] {"a", "b", "c"},
                new byte[][] {PartitionTsdbTest.record(HOUR), null, PartitionTsdbTest.record(2 * HOUR)});
        BatchConsumed back = (BatchConsumed) kryo.fromBinary(kryo.toBinary(e), BatchConsumed.class);
        assertArrayEquals(e.offsets(), back.offsets());
        assertArrayEquals(e.tenants(), back.tenants());
        assertArrayEquals(e.values()[0], back.values()[0]);
        assertNull(back.values()[1]);
        assertArrayEquals(e.values()[2], back.values()[2]);
        assertEquals(e.values()[0].length + e.values()[2].length, back.bytes());
    }

    @Test
    void refusedRecordsAreSkippedAndTheirOffsetsConsumed() {
        BatchConsumed ok = PartitionTsdbTest.batch(3, "t", PartitionTsdbTest.record(HOUR));
        assertSame(ok, ok.readable(), "nothing copied when nothing was refused");

        try (PartitionReplay s = PartitionReplay.scratch(2 * HOUR)) {
            s.apply(new BatchConsumed(new long[] {0, 1, 2}, new String[] {"t", "t", "t"},
                    new byte[][] {PartitionTsdbTest.record(HOUR), null, PartitionTsdbTest.record(HOUR + 1)}));
            assertEquals(2, s.samplesOf("t"));
            assertEquals(3, s.nextOffset());
            // A batch of refused records only: nothing applied, and consumed all the same.
            s.apply(new BatchConsumed(new long[] {3, 4}, new String[] {"t", "u"}, new byte[][] {null, null}));
            assertEquals(2, s.samplesOf("t"));
            assertEquals(0, s.samplesOf("u"));
            assertEquals(5, s.nextOffset());
        }
    }
}
