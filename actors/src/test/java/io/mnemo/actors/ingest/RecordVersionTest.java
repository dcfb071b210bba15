package io.mnemo.actors.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The ingest record's version header, from the partition writer's Kafka record to the batch the
 * consumer hands an ingester: written on every record, none read as version 1, any other version
 * refused (the record's value withheld, its offset kept).
 */
class RecordVersionTest {
    static final byte[] RECORD = record();

    static byte[] record() {
        IngestRecordWriter w = new IngestRecordWriter();
        w.beginSeries();
        w.labels(new int[] {w.symbol("__name__"), w.symbol("up")}, 2);
        w.sample(1000, Double.doubleToRawLongBits(1));
        w.endSeries();
        return w.toByteArray();
    }

    /** A record as the consumer fetches it. */
    static ConsumerRecord<byte[], byte[]> fetched(long offset, String tenant, byte[] value, Header... headers) {
        return new ConsumerRecord<>("mnemo-ingest", 0, offset, 0L, TimestampType.CREATE_TIME, -1, value.length,
                tenant == null ? null : tenant.getBytes(StandardCharsets.UTF_8), value, new RecordHeaders(headers),
                Optional.empty());
    }

    /** What the partition writer gives Kafka, as the consumer fetches it back. */
    static ConsumerRecord<byte[], byte[]> roundTrip(ProducerRecord<byte[], byte[]> written, long offset) {
        return new ConsumerRecord<>(written.topic(), written.partition(), offset, 0L, TimestampType.CREATE_TIME, -1,
                written.value().length, written.key(), written.value(), written.headers(), Optional.empty());
    }

    @Test
    void theHeaderIsAFourByteBigEndianInt() {
        Header h = RecordVersion.header(1);
        assertEquals("Version", h.key());
        assertArrayEquals(new byte[] {0, 0, 0, 1}, h.value());
        assertArrayEquals(new byte[] {0, 0, 1, 2}, RecordVersion.header(258).value());
        assertEquals(258, RecordVersion.of(new RecordHeaders(new Header[] {RecordVersion.header(258)})));
    }

    @Test
    void theWriterMarksEveryRecordWithTheCurrentVersionAndTheConsumerReadsIt() {
        ProducerRecord<byte[], byte[]> written = KafkaPartitionWriter.record("mnemo-ingest", 3, "team-ä", RECORD);
        assertEquals(3, written.partition());
        assertArrayEquals("team-ä".getBytes(StandardCharsets.UTF_8), written.key(), "the key is the tenant, UTF-8");
        assertArrayEquals(RECORD, written.value());
        assertEquals(RecordVersion.CURRENT, RecordVersion.of(written.headers()));
        assertEquals(1, RecordVersion.CURRENT);

        ConsumedBatch b = PartitionConsumer.batch(List.of(roundTrip(written, 41),
                roundTrip(KafkaPartitionWriter.record("mnemo-ingest", 3, "t", RECORD), 42)));
        assertArrayEquals(new long[] {41, 42}, b.offsets());
        assertArrayEquals(new String[] {"team-ä", "t"}, b.tenants());
        assertArrayEquals(new int[] {1, 1}, b.versions());
        assertArrayEquals(RECORD, b.values()[0]);
        assertEquals(0, b.refused());
    }

    @Test
    void aRecordWithoutTheHeaderIsVersion1() {
        assertEquals(1, RecordVersion.of(new RecordHeaders()));
        assertEquals(1, RecordVersion.of(null));
        assertTrue(RecordVersion.readable(RecordVersion.UNVERSIONED));
        ConsumedBatch b = PartitionConsumer.batch(List.of(fetched(7, "t", RECORD)));
        assertEquals(1, b.versions()[0]);
        assertArrayEquals(RECORD, b.values()[0], "read as it always was");
    }

    @Test
    void unknownVersionsAreRefusedButKeepTheirOffsets() {
        Header malformed = new RecordHeader("Version", new byte[] {1, 2, 3});
        ConsumedBatch b = PartitionConsumer.batch(List.of(
                fetched(10, "t", RECORD),
                fetched(11, "t", RECORD, RecordVersion.header(2)),
                fetched(12, "t", RECORD, RecordVersion.header(0)),
                fetched(13, "t", RECORD, malformed),
                fetched(14, "t", RECORD, RecordVersion.header(1))));
        assertArrayEquals(new long[] {10, 11, 12, 13, 14}, b.offsets(), "refused records stay in the batch: consumed");
        assertArrayEquals(new int[] {1, 2, 0, RecordVersion.MALFORMED, 1}, b.versions());
        assertArrayEquals(RECORD, b.values()[0]);
        assertNull(b.values()[1], "never handed on to be read");
        assertNull(b.values()[2]);
        assertNull(b.values()[3]);
        assertArrayEquals(RECORD, b.values()[4]);
        assertEquals(3, b.refused());
        assertFalse(RecordVersion.readable(RecordVersion.MALFORMED));
        assertEquals("version 2", RecordVersion.describe(2));
        assertTrue(RecordVersion.describe(RecordVersion.MALFORMED).contains("malformed Version header"));
    }

    @Test
    void theLastVersionHeaderCounts() {
        Headers h = new RecordHeaders(new Header[] {RecordVersion.header(2), RecordVersion.header(1)});
        assertEquals(1, RecordVersion.of(h));
    }

    @Test
    void aRecordWithoutValueOrKeyIsAnEmptyRecordOfNoTenant() {
        ConsumerRecord<byte[], byte[]> tombstone = new ConsumerRecord<>("mnemo-ingest", 0, 5, null, null);
        ConsumedBatch b = PartitionConsumer.batch(List.of(tombstone));
        assertEquals("", b.tenants()[0]);
        assertArrayEquals(new byte[0], b.values()[0]);
        assertEquals(0, b.refused());
    }
}
