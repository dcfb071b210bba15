package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.V2Requests.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.mnemo.actors.prompb.WriteV2;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.StaleNaN;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The remote write 2.0 reader: in place, refs resolved to byte ranges, and each spec violation named by its field. */
class RequestV2ReaderTest {
    private static String text(RequestV2Reader r, int off, int len) {
        return new String(r.buffer(), off, len, StandardCharsets.UTF_8);
    }

    private static RemoteWriteException refused(byte[] request) {
        return assertThrows(RemoteWriteException.class, () -> {
            RequestV2Reader r = new RequestV2Reader().reset(request);
            while (r.nextSeries()) { /* walk it all */ }
        });
    }

    @Test
    void seriesAreReadInPlaceWithTheirLabelsSorted() {
        V2Requests b = new V2Requests();
        b.add(b.series("job", "api", "__name__", "http_requests_total", "instance", "h:1") // map order, as Go senders send
                .addSamples(sample(1000, 1.5)).addSamples(sample(2000, StaleNaN.VALUE))
                .setMetadata(b.metadata(WriteV2.Metadata.MetricType.METRIC_TYPE_COUNTER, "Requests.", "requests"))
                .setCreatedTimestamp(500));
        b.add(V2Requests.withExemplar(b.series("__name__", "up").addSamples(sample(3000, 1)), 7, 3000)
                .addHistograms(ByteString.copyFromUtf8("hist")));
        byte[] bytes = b.bytes();
        byte[] padded = new byte[bytes.length + 10];
        System.arraycopy(bytes, 0, padded, 7, bytes.length);
        RequestV2Reader r = new RequestV2Reader().reset(padded, 7, bytes.length);
        assertSame(padded, r.buffer());

        assertTrue(r.nextSeries());
        assertEquals(0, r.seriesIndex());
        assertEquals(Labels.of("__name__", "http_requests_total", "instance", "h:1", "job", "api"), r.labels());
        for (int i = 1; i < r.labelCount(); i++) assertTrue(r.compareLabelNames(i - 1, i) < 0, "sorted in place");
        assertEquals(2, r.sampleCount());
        assertEquals(1000, r.sampleTimestamp(0));
        assertEquals(1.5, r.sampleValue(0));
        assertEquals(Double.doubleToRawLongBits(StaleNaN.VALUE), r.sampleValueBits(1), "the staleness marker's bits");
        assertTrue(r.hasMetadata());
        assertEquals(1, r.metadataType());
        assertEquals("Requests.", text(r, r.metadataHelpOffset(), r.metadataHelpLength()));
        assertEquals("requests", text(r, r.metadataUnitOffset(), r.metadataUnitLength()));
        assertEquals(500, r.createdTimestamp());
        assertEquals(0, r.exemplarCount());

        assertTrue(r.nextSeries());
        assertEquals(Labels.of("__name__", "up"), r.labels());
        assertFalse(r.hasMetadata());
        assertEquals(0, r.createdTimestamp());
        assertEquals(1, r.exemplarCount());
        assertEquals(1, r.histogramCount());
        assertEquals("hist", text(r, r.histogramOffset(0), r.histogramLength(0)));
        assertEquals(0, r.metadataHelpLength());

        assertFalse(r.nextSeries());
        r.rewind();
        assertTrue(r.nextSeries());
        assertEquals(0, r.seriesIndex());
    }

    @Test
    void symbolsAfterTheSeriesAndUnpackedRefsAreRead() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        ByteArrayOutputStream series = new ByteArrayOutputStream();
        CodedOutputStream s = CodedOutputStream.newInstance(series);
        s.writeUInt32(1, 1); // labels_refs, one varint per field
        s.writeUInt32(1, 2);
        s.writeMessage(2, sample(9, 4));
        s.flush();
        out.writeByteArray(5, series.toByteArray());
        out.writeString(4, "");
        out.writeString(4, "__name__");
        out.writeString(4, "late");
        out.flush();
        RequestV2Reader r = new RequestV2Reader().reset(bytes.toByteArray());
        assertEquals(3, r.symbolCount());
        assertTrue(r.nextSeries());
        assertEquals(Labels.of("__name__", "late"), r.labels());
        assertEquals(9, r.sampleTimestamp(0));
    }

    @Test
    void anEmptyRequestHasNoSeries() {
        assertFalse(new RequestV2Reader().reset(new byte[0]).nextSeries());
        assertFalse(new RequestV2Reader().reset(WriteV2.Request.newBuilder().addSymbols("").build().toByteArray()).nextSeries());
    }

    @Test
    void everySpecViolationIsNamedByItsField() {
        RemoteWriteException e = refused(WriteV2.Request.newBuilder().addSymbols("__name__").addSymbols("x")
                .addTimeseries(WriteV2.TimeSeries.newBuilder().addLabelsRefs(0).addLabelsRefs(1)).build().toByteArray());
        assertTrue(e.getMessage().contains("Request.symbols (field 4) must start with the empty string, but symbols[0] is \"__name__\""),
                e.getMessage());

        V2Requests b = new V2Requests();
        b.add(b.series("__name__", "ok").addSamples(sample(1, 1)));
        b.add(b.series("__name__", "bad").addLabelsRefs(9).addLabelsRefs(1).addSamples(sample(1, 1)));
        e = refused(b.bytes());
        assertTrue(e.getMessage().contains("TimeSeries.labels_refs (field 1) refers to symbol 9, but Request.symbols has 4 entries")
                && e.getMessage().contains("(time series #1)"), e.getMessage());

        b = new V2Requests();
        b.add(b.series("__name__", "odd", "job").addSamples(sample(1, 1)));
        e = refused(b.bytes());
        assertTrue(e.getMessage().contains("TimeSeries.labels_refs (field 1) has 3 refs, an odd number"), e.getMessage());

        b = new V2Requests();
        b.add(b.series("__name__", "m").setMetadata(WriteV2.Metadata.newBuilder().setHelpRef(40)));
        e = refused(b.bytes());
        assertTrue(e.getMessage().contains("Metadata.help_ref (field 3) refers to symbol 40"), e.getMessage());

        b = new V2Requests();
        b.add(b.series("__name__", "m").setMetadata(WriteV2.Metadata.newBuilder().setUnitRef(41)));
        e = refused(b.bytes());
        assertTrue(e.getMessage().contains("Metadata.unit_ref (field 4) refers to symbol 41"), e.getMessage());
    }

    @Test
    void aRemoteWrite1BodyIsNotReadAsAnEmptyRequest() {
        byte[] v1 = Fixtures.request(Fixtures.series("__name__", "up").addSamples(Fixtures.sample(1, 1))).toByteArray();
        RemoteWriteException e = refused(v1);
        assertTrue(e.getMessage().contains("remote write 1.0's WriteRequest.timeseries"), e.getMessage());
    }

    @Test
    void wireDamageIsRefusedNamingTheByte() {
        V2Requests b = new V2Requests();
        b.add(b.series("__name__", "up").addSamples(sample(1, 1)));
        byte[] bytes = b.bytes();
        for (int cut = 1; cut < bytes.length; cut++) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            try {
                RequestV2Reader r = new RequestV2Reader().reset(truncated);
                while (r.nextSeries()) { /* walk */ }
            } catch (RemoteWriteException e) {
                assertTrue(e.getMessage().startsWith("malformed remote write 2.0 request: ") && e.getMessage().contains(" at byte "),
                        e.getMessage());
            }
        }
        // A sample that is not a message: wire type varint for field 2.
        byte[] wrongWire = {0x22, 0x00, 0x2a, 0x02, 0x10, 0x01};
        RemoteWriteException e = refused(wrongWire);
        assertTrue(e.getMessage().contains("TimeSeries.samples (field 2) has wire type 0"), e.getMessage());
    }

    private static void assertSame(Object a, Object b) {
        org.junit.jupiter.api.Assertions.assertSame(a, b);
    }
}
