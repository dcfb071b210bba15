package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.Fixtures.label;
import static io.mnemo.actors.distributor.Fixtures.request;
import static io.mnemo.actors.distributor.Fixtures.sample;
import static io.mnemo.actors.distributor.Fixtures.series;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.StaleNaN;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WriteRequestReaderTest {

    /** Unknown fields of every wire type, including a nested group. */
    private static UnknownFieldSet unknownFields() {
        UnknownFieldSet inner = UnknownFieldSet.newBuilder()
                .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(7).addFixed64(9).build())
                .build();
        return UnknownFieldSet.newBuilder()
                .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(-1).build())
                .addField(10, UnknownFieldSet.Field.newBuilder().addFixed32(0xCAFEBABE).build())
                .addField(11, UnknownFieldSet.Field.newBuilder().addFixed64(42).build())
                .addField(12, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("junk")).build())
                .addField(13, UnknownFieldSet.Field.newBuilder().addGroup(inner).build())
                .build();
    }

    private static Remote.WriteRequest richRequest() {
        Remote.Exemplar exemplar = Remote.Exemplar.newBuilder()
                .addLabels(label("trace_id", "abc123")).setValue(1.5).setTimestamp(1000).build();
        // TimeSeries field 4 is a native histogram in Prometheus; this proto does not declare it.
        UnknownFieldSet histogram = UnknownFieldSet.newBuilder()
                .addField(4, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFrom(new byte[] {0x08, 0x05, 0x10, 0x02}))
                        .addLengthDelimited(ByteString.EMPTY).build())
                .build();
        Remote.TimeSeries.Builder first = series("__name__", "http_requests_total", "job", "api", "path", "/ünïcode/✓")
                .addSamples(sample(1_700_000_000_000L, 42.5))
                .addSamples(sample(-5_000L, Double.NaN))
                .addSamples(sample(1_700_000_015_000L, StaleNaN.VALUE))
                .addSamples(sample(Long.MIN_VALUE, Double.NEGATIVE_INFINITY))
                .addSamples(sample(Long.MAX_VALUE, -0.0))
                .addSamples(Remote.Sample.newBuilder().build()) // both fields absent: zero
                .addExemplars(exemplar)
                .setUnknownFields(histogram.toBuilder().mergeFrom(unknownFields()).build());
        Remote.TimeSeries.Builder second = series("__name__", "up", "empty", "", "instance", "a:9090")
                .addSamples(sample(0, 1));
        Remote.TimeSeries.Builder noSamples = series("__name__", "only_exemplars").addExemplars(exemplar);
        return Remote.WriteRequest.newBuilder()
                .addMetadata(Remote.MetricMetadata.newBuilder().setMetricFamilyName("up").setHelp("help")
                        .setType(Remote.MetricMetadata.MetricType.GAUGE))
                .addTimeseries(first)
                .addMetadata(Remote.MetricMetadata.newBuilder().setMetricFamilyName("x"))
                .addTimeseries(second)
                .addTimeseries(noSamples)
                .setUnknownFields(unknownFields())
                .build();
    }

    @Test
    void everyLabelAndSampleRoundTrips() throws Exception {
        Remote.WriteRequest req = richRequest();
        byte[] bytes = req.toByteArray();
        // Put the request in the middle of a bigger buffer to check offsets are honoured.
        byte[] padded = new byte[bytes.length + 20];
        Arrays.fill(padded, (byte) 0xEE);
        System.arraycopy(bytes, 0, padded, 7, bytes.length);
        WriteRequestReader r = new WriteRequestReader().reset(padded, 7, bytes.length);

        for (int s = 0; s < req.getTimeseriesCount(); s++) {
            Remote.TimeSeries expected = req.getTimeseries(s);
            assertTrue(r.nextSeries(), "series " + s);
            assertEquals(s, r.seriesIndex());
            assertEquals(expected.getLabelsCount(), r.labelCount());
            for (int i = 0; i < r.labelCount(); i++) {
                assertEquals(expected.getLabels(i).getName(), r.labelName(i));
                assertEquals(expected.getLabels(i).getValue(), r.labelValue(i));
                assertTrue(r.labelNameEquals(i, expected.getLabels(i).getName()));
                assertTrue(r.labelValueEquals(i, expected.getLabels(i).getValue()));
                assertFalse(r.labelValueEquals(i, expected.getLabels(i).getValue() + "x"));
            }
            assertEquals(expected.getSamplesCount(), r.sampleCount());
            for (int i = 0; i < r.sampleCount(); i++) {
                Remote.Sample e = expected.getSamples(i);
                assertEquals(e.getTimestamp(), r.sampleTimestamp(i));
                assertEquals(Double.doubleToRawLongBits(e.getValue()), r.sampleValueBits(i), "bits of sample " + i);
            }
            assertEquals(expected.getExemplarsCount(), r.exemplarCount());
            // The raw range is the series exactly, unknown fields and all.
            Remote.TimeSeries raw = Remote.TimeSeries.parseFrom(
                    Arrays.copyOfRange(padded, r.seriesOffset(), r.seriesOffset() + r.seriesLength()));
            assertEquals(expected, raw);
            assertEquals(expected.getUnknownFields(), raw.getUnknownFields());
            Remote.WriteRequest field = Remote.WriteRequest.parseFrom(
                    Arrays.copyOfRange(padded, r.seriesFieldOffset(), r.seriesFieldOffset() + r.seriesFieldLength()));
            assertEquals(List.of(expected), field.getTimeseriesList());
        }
        assertFalse(r.nextSeries());
        assertFalse(r.nextSeries(), "stays at the end");
        assertEquals(0, r.labelCount());
        assertEquals(0, r.sampleCount());
    }

    /** Concatenated protobuf messages merge, so this interleaves metadata and unknown fields between series. */
    @Test
    void interleavedTopLevelFieldsAreSkipped() throws Exception {
        byte[] metadata = Remote.WriteRequest.newBuilder()
                .addMetadata(Remote.MetricMetadata.newBuilder().setMetricFamilyName("m").setHelp("h")).build().toByteArray();
        byte[] unknown = Remote.WriteRequest.newBuilder().setUnknownFields(unknownFields()).build().toByteArray();
        byte[] a = request(series("__name__", "a").addSamples(sample(1, 1))).toByteArray();
        byte[] b = request(series("__name__", "b").addSamples(sample(2, 2))).toByteArray();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : List.of(metadata, a, unknown, metadata, b, unknown)) out.write(part);
        byte[] all = out.toByteArray();
        assertEquals(2, Remote.WriteRequest.parseFrom(all).getTimeseriesCount());
        WriteRequestReader r = new WriteRequestReader().reset(all);
        assertTrue(r.nextSeries());
        assertEquals("a", r.labelValue(0));
        assertTrue(r.nextSeries());
        assertEquals("b", r.labelValue(0));
        assertEquals(2L, r.sampleTimestamp(0));
        assertFalse(r.nextSeries());
    }

    @Test
    void specialValuesKeepTheirBits() {
        WriteRequestReader r = Fixtures.readerAt(richRequest().toByteArray(), 0);
        assertTrue(Double.isNaN(r.sampleValue(1)));
        assertFalse(StaleNaN.is(r.sampleValue(1)));
        assertEquals(-5_000L, r.sampleTimestamp(1));
        assertEquals(StaleNaN.BITS, r.sampleValueBits(2));
        assertTrue(StaleNaN.is(r.sampleValue(2)));
        assertEquals(Long.MIN_VALUE, r.sampleTimestamp(3));
        assertEquals(Double.NEGATIVE_INFINITY, r.sampleValue(3));
        assertEquals(Double.doubleToRawLongBits(-0.0), r.sampleValueBits(4));
        assertEquals(0L, r.sampleTimestamp(5));
        assertEquals(0L, r.sampleValueBits(5));
        assertEquals(2, r.histogramCount());
        assertEquals(1, r.exemplarCount());
    }

    @Test
    void labelsDropEmptyValuesAndSortWhenNeeded() {
        WriteRequestReader r = Fixtures.readerAt(richRequest().toByteArray(), 1);
        assertEquals(3, r.labelCount());
        assertEquals(Labels.of("__name__", "up", "instance", "a:9090"), r.labels());
        WriteRequestReader unsorted = Fixtures.single(series("job", "x", "__name__", "m").addSamples(sample(1, 1)));
        assertEquals(Labels.of("__name__", "m", "job", "x"), unsorted.labels());
        assertEquals("{job=\"x\", __name__=\"m\"}", unsorted.seriesText(200));
    }

    @Test
    void readerIsReusableAndRewinds() {
        WriteRequestReader r = new WriteRequestReader();
        byte[] big = richRequest().toByteArray();
        byte[] small = request(series("__name__", "a").addSamples(sample(5, 6))).toByteArray();
        for (int round = 0; round < 3; round++) {
            r.reset(big);
            int n = 0;
            while (r.nextSeries()) n++;
            assertEquals(3, n);
            r.rewind();
            assertTrue(r.nextSeries());
            assertEquals("http_requests_total", r.labelValue(0));
            r.reset(small);
            assertTrue(r.nextSeries());
            assertEquals(1, r.sampleCount());
            assertEquals(6.0, r.sampleValue(0));
            assertFalse(r.nextSeries());
        }
    }

    @Test
    void largeSeriesGrowTheArrays() {
        Remote.TimeSeries.Builder s = Remote.TimeSeries.newBuilder();
        for (int i = 0; i < 100; i++) s.addLabels(label(String.format("l%03d", i), "v" + i));
        for (int i = 0; i < 5000; i++) s.addSamples(sample(i * 15_000L, i * 0.5));
        WriteRequestReader r = Fixtures.single(s);
        assertEquals(100, r.labelCount());
        assertEquals("l099", r.labelName(99));
        assertEquals(5000, r.sampleCount());
        assertEquals(4999 * 15_000L, r.sampleTimestamp(4999));
        assertEquals(4999 * 0.5, r.sampleValue(4999));
        assertThrows(IndexOutOfBoundsException.class, () -> r.sampleTimestamp(5000));
    }

    @Test
    void aRemoteWrite2BodyIsRefusedNotReadAsEmpty() {
        V2Requests b = new V2Requests();
        b.add(b.series("__name__", "up", "job", "api").addSamples(V2Requests.sample(1000, 1)));
        WriteRequestReader r = new WriteRequestReader().reset(b.bytes());
        RemoteWriteException e = assertThrows(RemoteWriteException.class, r::nextSeries);
        assertTrue(e.getMessage().contains("field 4 is remote write 2.0's io.prometheus.write.v2.Request.symbols"),
                e.getMessage());
    }

    @Test
    void emptyRequestHasNoSeries() {
        WriteRequestReader r = new WriteRequestReader().reset(new byte[0]);
        assertFalse(r.nextSeries());
        r.reset(Remote.WriteRequest.newBuilder()
                .addMetadata(Remote.MetricMetadata.newBuilder().setMetricFamilyName("m")).build().toByteArray());
        assertFalse(r.nextSeries());
    }

    @Test
    void seriesTextIsTruncated() {
        WriteRequestReader r = Fixtures.single(series("__name__", "m", "big", "x".repeat(10_000), "q", "a\"b\\c\nd"));
        String text = r.seriesText(200);
        assertEquals(201, text.length());
        assertTrue(text.startsWith("{__name__=\"m\", big=\"xxx"));
        assertTrue(text.endsWith("\u2026"));
        WriteRequestReader quoted = Fixtures.single(series("__name__", "m", "q", "a\"b\\c\nd"));
        assertEquals("{__name__=\"m\", q=\"a\\\"b\\\\c\\nd\"}", quoted.seriesText(200));
    }

    // ---- malformed input ----------------------------------------------------------------------

    private static String readAllExpectingError(byte[] bytes) {
        WriteRequestReader r = new WriteRequestReader().reset(bytes);
        RemoteWriteException e = assertThrows(RemoteWriteException.class, () -> {
            while (r.nextSeries()) { /* read everything */ }
        });
        return e.getMessage();
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    @Test
    void malformedInputGivesClearErrors() {
        assertEquals("malformed write request: truncated varint at byte 1", readAllExpectingError(bytes(0x0A, 0x80)));
        assertEquals("malformed write request: length 5 runs past the end of its enclosing message (1 bytes left) at byte 1",
                readAllExpectingError(bytes(0x0A, 0x05, 0x01)));
        assertEquals("malformed write request: invalid wire type 7 for field 5 at byte 1",
                readAllExpectingError(bytes(0x2F, 0x00)));
        assertEquals("malformed write request: invalid wire type 6 for field 5 at byte 1",
                readAllExpectingError(bytes(0x2E)));
        assertEquals("malformed write request: WriteRequest.timeseries (field 1) has wire type 0, want 2 at byte 1",
                readAllExpectingError(bytes(0x08, 0x01)));
        assertEquals("malformed write request: field number 0 is invalid at byte 0", readAllExpectingError(bytes(0x02, 0x00)));
        assertEquals("malformed write request: varint longer than 10 bytes at byte 0",
                readAllExpectingError(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01)));
        assertEquals("malformed write request: end-group tag of field 5 without a start-group at byte 1",
                readAllExpectingError(bytes(0x2C)));
        assertEquals("malformed write request: group of field 5 is not closed at byte 3",
                readAllExpectingError(bytes(0x2B, 0x08, 0x01)));
        // Inside a series: the message names the series.
        assertEquals("malformed write request: TimeSeries.labels (field 1) has wire type 0, want 2 at byte 3 (time series #0)",
                readAllExpectingError(bytes(0x0A, 0x02, 0x08, 0x01)));
        assertEquals("malformed write request: truncated a fixed64 value (2 of 8 bytes) at byte 5 (time series #0)",
                readAllExpectingError(bytes(0x0A, 0x05, 0x12, 0x03, 0x09, 0x01, 0x02)));
        assertEquals("malformed write request: Sample.timestamp (field 2) has wire type 2, want 0 at byte 5 (time series #0)",
                readAllExpectingError(bytes(0x0A, 0x04, 0x12, 0x02, 0x12, 0x00)));
    }

    @Test
    void errorsInALaterSeriesNameIt() {
        byte[] good = request(series("__name__", "a").addSamples(sample(1, 1))).toByteArray();
        byte[] bad = Arrays.copyOf(good, good.length + 4);
        System.arraycopy(bytes(0x0A, 0x02, 0x0A, 0x09), 0, bad, good.length, 4);
        String msg = readAllExpectingError(bad);
        assertTrue(msg.contains("(time series #1)"), msg);
        assertTrue(msg.contains("runs past the end"), msg);
    }

    /** Every truncation of a valid request fails exactly when protobuf-java fails, and only with our exception. */
    @Test
    void truncationAgreesWithProtobufJava() {
        byte[] full = richRequest().toByteArray();
        for (int cut = 0; cut <= full.length; cut++) {
            byte[] part = Arrays.copyOf(full, cut);
            boolean protobufOk;
            int protobufSeries = -1;
            try {
                protobufSeries = Remote.WriteRequest.parseFrom(part).getTimeseriesCount();
                protobufOk = true;
            } catch (InvalidProtocolBufferException e) {
                protobufOk = false;
            }
            WriteRequestReader r = new WriteRequestReader().reset(part);
            int n = 0;
            boolean ok;
            try {
                while (r.nextSeries()) n++;
                ok = true;
            } catch (RemoteWriteException e) {
                ok = false;
            }
            assertEquals(protobufOk, ok, "cut at " + cut);
            if (ok) assertEquals(protobufSeries, n, "cut at " + cut);
        }
    }

    /** Random corruption never escapes as anything but RemoteWriteException (no AIOOBE, no hang). */
    @Test
    void garbledInputOnlyThrowsRemoteWriteException() {
        byte[] full = richRequest().toByteArray();
        Random random = new Random(42);
        WriteRequestReader r = new WriteRequestReader();
        List<String> messages = new ArrayList<>();
        for (int round = 0; round < 20_000; round++) {
            byte[] garbled = full.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) garbled[random.nextInt(garbled.length)] = (byte) random.nextInt(256);
            r.reset(garbled);
            try {
                while (r.nextSeries()) {
                    for (int i = 0; i < r.labelCount(); i++) r.labelName(i);
                    for (int i = 0; i < r.sampleCount(); i++) r.sampleValue(i);
                }
            } catch (RemoteWriteException e) {
                messages.add(e.getMessage());
            }
        }
        assertFalse(messages.isEmpty());
        for (String m : messages) assertTrue(m.startsWith("malformed write request: "), m);
        byte[] noise = new byte[4096];
        for (int round = 0; round < 2_000; round++) {
            random.nextBytes(noise);
            r.reset(noise);
            try {
                while (r.nextSeries()) { /* read everything */ }
            } catch (RemoteWriteException expected) {
                // fine
            }
        }
    }

    @Test
    void resetChecksBounds() {
        assertThrows(IndexOutOfBoundsException.class, () -> new WriteRequestReader().reset(new byte[4], 2, 3));
        assertArrayEquals(new byte[0], new WriteRequestReader().buffer());
    }
}
