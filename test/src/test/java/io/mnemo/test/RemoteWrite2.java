package io.mnemo.test;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.prompb.WriteV2;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * Builds remote write 2.0 request bodies (protobuf + snappy block), as Prometheus 3 and the
 * compliance suite's receiver tests send them: strings interned into the symbol table, label refs
 * in the order given (the suite's come from Go maps, unsorted).
 */
final class RemoteWrite2 {
    private final Map<String, Integer> refs = new HashMap<>();
    private final WriteV2.Request.Builder request = WriteV2.Request.newBuilder();

    private RemoteWrite2() {
        ref("");
    }

    static RemoteWrite2 request() {
        return new RemoteWrite2();
    }

    int ref(String s) {
        return refs.computeIfAbsent(s, k -> {
            request.addSymbols(k);
            return request.getSymbolsCount() - 1;
        });
    }

    /** A series from alternating label names and values. */
    WriteV2.TimeSeries.Builder series(String... nameValues) {
        WriteV2.TimeSeries.Builder b = WriteV2.TimeSeries.newBuilder();
        for (String s : nameValues) b.addLabelsRefs(ref(s));
        return b;
    }

    WriteV2.Metadata metadata(WriteV2.Metadata.MetricType type, String help, String unit) {
        return WriteV2.Metadata.newBuilder().setType(type).setHelpRef(ref(help)).setUnitRef(ref(unit)).build();
    }

    static WriteV2.Sample sample(long timestamp, double value) {
        return WriteV2.Sample.newBuilder().setTimestamp(timestamp).setValue(value).build();
    }

    /** Adds an exemplar (TimeSeries field 4, which Mnemo's proto reserves): value and timestamp, no labels. */
    static WriteV2.TimeSeries.Builder withExemplar(WriteV2.TimeSeries.Builder series, double value, long timestamp) {
        return withExemplar(series, value, timestamp, new int[0]);
    }

    /** Adds an exemplar with labels (alternating names and values, interned here). */
    WriteV2.TimeSeries.Builder exemplar(WriteV2.TimeSeries.Builder series, double value, long timestamp, String... nameValues) {
        int[] refs = new int[nameValues.length];
        for (int i = 0; i < refs.length; i++) refs[i] = ref(nameValues[i]);
        return withExemplar(series, value, timestamp, refs);
    }

    private static WriteV2.TimeSeries.Builder withExemplar(WriteV2.TimeSeries.Builder series, double value, long timestamp,
                                                          int[] refs) {
        ByteString.Output bytes = ByteString.newOutput();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            if (refs.length > 0) { // labels_refs, packed varints
                int size = 0;
                for (int r : refs) size += CodedOutputStream.computeUInt32SizeNoTag(r);
                out.writeTag(1, 2);
                out.writeUInt32NoTag(size);
                for (int r : refs) out.writeUInt32NoTag(r);
            }
            out.writeDouble(2, value);
            out.writeInt64(3, timestamp);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        UnknownFieldSet.Field f = UnknownFieldSet.Field.newBuilder().addLengthDelimited(bytes.toByteString()).build();
        return series.setUnknownFields(series.getUnknownFields().toBuilder().mergeField(4, f).build());
    }

    /** A native histogram sample as Prometheus encodes one: count 1 (in the zero bucket), sum, schema 0, the timestamp. */
    static ByteString histogram(long timestamp) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) (1 << 3)).put((byte) 1);                       // count_int = 1
        b.put((byte) (3 << 3 | 1)).putLong(Double.doubleToRawLongBits(1.0)); // sum = 1
        b.put((byte) (6 << 3)).put((byte) 1);                       // zero_count_int = 1
        b.put((byte) (15 << 3));                                     // timestamp
        long v = timestamp;
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
        return ByteString.copyFrom(b.array(), 0, b.position());
    }

    RemoteWrite2 add(WriteV2.TimeSeries.Builder series) {
        request.addTimeseries(series);
        return this;
    }

    int seriesCount() {
        return request.getTimeseriesCount();
    }

    byte[] protobuf() {
        return request.build().toByteArray();
    }

    byte[] encode() {
        try {
            return Snappy.compress(protobuf());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
