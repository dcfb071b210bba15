package io.mnemo.actors.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.mnemo.actors.prompb.WriteV2;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.StaleNaN;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ingest record format: what the writer writes is remote write 2.0, and the reader reads any of it. */
class IngestRecordTest {
    @Test
    void exemplarsRoundTripAndARecordWithThemIsStillRemoteWrite2() throws Exception {
        IngestRecordWriter w = new IngestRecordWriter();
        int name = w.symbol("__name__");
        int[] series = {name, w.symbol("req")};
        int[] labels = {w.symbol("span_id"), w.symbol("s1"), w.symbol("trace_id"), w.symbol("t".repeat(200))};
        w.beginSeries();
        w.labels(series, 2);
        w.sample(1_000, Double.doubleToRawLongBits(1));
        w.exemplar(labels, 4, 1_000, Double.doubleToRawLongBits(0.25));
        w.exemplar(labels, 2, -7, Double.doubleToRawLongBits(Double.NaN));
        w.exemplar(labels, 0, 5, 0);
        w.endSeries();
        w.beginSeries();
        w.labels(series, 2);
        w.endSeries();
        byte[] record = w.toByteArray();
        assertEquals(3, w.exemplarCount());

        // Remote write 2.0's schema (which reserves field 4 here) still reads the record: samples and labels as written.
        WriteV2.Request parsed = WriteV2.Request.parseFrom(record);
        assertEquals(1, parsed.getTimeseries(0).getSamplesCount());

        IngestRecordReader r = new IngestRecordReader().reset(record);
        assertTrue(r.nextSeries());
        assertEquals(1, r.sampleCount());
        assertEquals(3, r.exemplarCount());
        assertEquals(4, r.exemplarLabelRefCount(0));
        assertEquals("trace_id", r.symbol(r.exemplarLabelRef(0, 2)));
        assertEquals("t".repeat(200), r.symbol(r.exemplarLabelRef(0, 3)));
        assertEquals(1_000, r.exemplarTimestamp(0));
        assertEquals(0.25, Double.longBitsToDouble(r.exemplarValueBits(0)));
        assertEquals(2, r.exemplarLabelRefCount(1));
        assertEquals("s1", r.symbol(r.exemplarLabelRef(1, 1)));
        assertEquals(-7, r.exemplarTimestamp(1));
        assertTrue(Double.isNaN(Double.longBitsToDouble(r.exemplarValueBits(1))));
        assertEquals(0, r.exemplarLabelRefCount(2));
        assertEquals(5, r.exemplarTimestamp(2));
        assertTrue(r.nextSeries());
        assertEquals(0, r.exemplarCount(), "the next series has its own");
        assertFalse(r.nextSeries());
    }

    @Test
    void writerWritesRemoteWrite2AndTheReaderReadsItBack() throws Exception {
        IngestRecordWriter w = new IngestRecordWriter();
        for (int round = 0; round < 3; round++) { // reused: each record stands alone
            w.reset();
            int name = w.symbol("__name__");
            int job = w.symbol("job");
            assertEquals(name, w.symbol("__name__"), "a string is interned once");
            for (int s = 0; s < 300; s++) { // enough symbols to grow the table, and series longer than 127 bytes
                int[] refs = {name, w.symbol("metric_" + s % 10), job, w.symbol("job-" + round + "-" + s)};
                w.beginSeries();
                w.labels(refs, refs.length);
                for (int k = 0; k < s % 12; k++) w.sample(1_000L * k - 5, Double.doubleToRawLongBits(k == 3 ? StaleNaN.VALUE : k * 0.5));
                if (s % 50 == 0) w.histogram(new byte[] {0x08, 0x07}, 0, 2);
                w.endSeries();
            }
            byte[] record = w.toByteArray();

            WriteV2.Request parsed = WriteV2.Request.parseFrom(record);
            assertEquals("", parsed.getSymbols(0));
            assertEquals(300, parsed.getTimeseriesCount());
            assertEquals(w.symbolCount(), parsed.getSymbolsCount());
            IngestRecordReader r = new IngestRecordReader().reset(record);
            for (int s = 0; s < 300; s++) {
                assertTrue(r.nextSeries());
                WriteV2.TimeSeries ts = parsed.getTimeseries(s);
                Labels expected = Labels.of("__name__", "metric_" + s % 10, "job", "job-" + round + "-" + s);
                assertEquals(expected.get("job"), parsed.getSymbols(ts.getLabelsRefs(3)));
                assertEquals(expected, r.labels());
                assertEquals(s % 12, ts.getSamplesCount());
                assertEquals(s % 12, r.sampleCount());
                for (int k = 0; k < s % 12; k++) {
                    assertEquals(1_000L * k - 5, ts.getSamples(k).getTimestamp());
                    assertEquals(1_000L * k - 5, r.sampleTimestamp(k));
                    long bits = Double.doubleToRawLongBits(k == 3 ? StaleNaN.VALUE : k * 0.5);
                    assertEquals(bits, Double.doubleToRawLongBits(ts.getSamples(k).getValue()));
                    assertEquals(bits, r.sampleValueBits(k));
                }
                assertEquals(s % 50 == 0 ? List.of(ByteString.copyFrom(new byte[] {0x08, 0x07})) : List.of(), ts.getHistogramsList());
                assertEquals(s % 50 == 0 ? 1 : 0, r.histogramCount());
            }
            assertFalse(r.nextSeries());
        }
    }

    @Test
    void readerTakesAnyFieldOrderAndUnpackedRefs() throws Exception {
        // As another remote write 2.0 writer may lay it out: series before symbols, refs not packed.
        WriteV2.TimeSeries ts = WriteV2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2, 3, 4))
                .addSamples(WriteV2.Sample.newBuilder().setTimestamp(7).setValue(1.5))
                .setMetadata(WriteV2.Metadata.newBuilder().setType(WriteV2.Metadata.MetricType.METRIC_TYPE_GAUGE).setHelpRef(5))
                .build();
        byte[] series = ts.toByteArray();
        // Re-encode labels_refs unpacked: field 1 varints instead of one length-delimited field.
        byte[] unpackedRefs = {0x08, 1, 0x08, 2, 0x08, 3, 0x08, 4};
        byte[] rest = Arrays.copyOfRange(series, 2 + 4, series.length); // after tag, length and 4 one-byte refs
        byte[] body = concat(unpackedRefs, rest);
        byte[] record = concat(concat(new byte[] {0x2A, (byte) body.length}, body),
                WriteV2.Request.newBuilder().addAllSymbols(List.of("", "__name__", "temp", "room", "kitchen", "Degrees."))
                        .build().toByteArray());
        assertEquals(ts, WriteV2.Request.parseFrom(record).getTimeseries(0), "still the same series to protobuf");

        IngestRecordReader r = new IngestRecordReader().reset(record);
        assertTrue(r.nextSeries());
        assertEquals(Labels.of("__name__", "temp", "room", "kitchen"), r.labels());
        assertEquals(7, r.sampleTimestamp(0));
        assertTrue(r.hasMetadata());
        assertEquals(2, r.metadataType());
        assertEquals("Degrees.", r.symbol(r.metadataHelpRef()));
        assertEquals(0, r.metadataUnitRef());
        assertFalse(r.nextSeries());
    }

    @Test
    void damageIsReportedNotSkipped() {
        IngestRecordWriter w = new IngestRecordWriter();
        int[] refs = {w.symbol("__name__"), w.symbol("up")};
        w.beginSeries();
        w.labels(refs, 2);
        w.sample(1, 2);
        w.endSeries();
        byte[] good = w.toByteArray();

        byte[] truncated = Arrays.copyOf(good, good.length - 2);
        assertThrows(MalformedRecordException.class, () -> readAll(truncated));
        // A ref past the symbol table.
        byte[] badRef = concat(WriteV2.Request.newBuilder().addSymbols("").build().toByteArray(),
                WriteV2.Request.newBuilder().addTimeseries(WriteV2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(0, 9))).build().toByteArray());
        MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> readAll(badRef));
        assertTrue(e.getMessage().contains("symbol ref 9 of 1 symbols"), e.getMessage());
        // An odd number of refs.
        byte[] odd = WriteV2.Request.newBuilder().addSymbols("").addSymbols("a")
                .addTimeseries(WriteV2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1))).build().toByteArray();
        assertThrows(MalformedRecordException.class, () -> readAll(odd));
    }

    private static void readAll(byte[] record) {
        IngestRecordReader r = new IngestRecordReader().reset(record);
        while (r.nextSeries()) r.labels();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
