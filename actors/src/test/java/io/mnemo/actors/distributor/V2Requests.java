package io.mnemo.actors.distributor;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.prompb.WriteV2;
import java.util.HashMap;
import java.util.Map;

/** Builds remote write 2.0 requests with the generated protobuf classes, interning strings as senders do. */
final class V2Requests {
    private final Map<String, Integer> refs = new HashMap<>();
    private final WriteV2.Request.Builder request = WriteV2.Request.newBuilder();

    V2Requests() {
        ref("");
    }

    /** The ref of a string, added to the symbol table if new. */
    int ref(String s) {
        return refs.computeIfAbsent(s, k -> {
            request.addSymbols(k);
            return request.getSymbolsCount() - 1;
        });
    }

    /** A series from alternating label names and values, its refs in the given order. */
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

    /** Adds an exemplar (TimeSeries field 4, which Mnemo's proto reserves): value (field 2) and timestamp (field 3). */
    static WriteV2.TimeSeries.Builder withExemplar(WriteV2.TimeSeries.Builder series, double value, long timestamp) {
        return withExemplar(series, value, timestamp, new int[0]);
    }

    /** An exemplar with labels: alternating label names and values, interned here. */
    WriteV2.TimeSeries.Builder exemplar(WriteV2.TimeSeries.Builder series, double value, long timestamp, String... nameValues) {
        int[] refs = new int[nameValues.length];
        for (int i = 0; i < refs.length; i++) refs[i] = ref(nameValues[i]);
        return withExemplar(series, value, timestamp, refs);
    }

    private static WriteV2.TimeSeries.Builder withExemplar(WriteV2.TimeSeries.Builder series, double value, long timestamp,
                                                          int[] refs) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 + 5 + 5 * refs.length + 1 + 8 + 1 + 10)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (refs.length > 0) { // labels_refs, packed: each ref below 128 in tests
            b.put((byte) (1 << 3 | 2)).put((byte) refs.length);
            for (int r : refs) b.put((byte) r);
        }
        b.put((byte) (2 << 3 | 1)).putLong(Double.doubleToRawLongBits(value)).put((byte) (3 << 3));
        long v = timestamp;
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
        UnknownFieldSet.Field f = UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFrom(b.array(), 0, b.position())).build();
        return series.setUnknownFields(series.getUnknownFields().toBuilder().mergeField(4, f).build());
    }

    V2Requests add(WriteV2.TimeSeries.Builder series) {
        request.addTimeseries(series);
        return this;
    }

    WriteV2.Request build() {
        return request.build();
    }

    byte[] bytes() {
        return request.build().toByteArray();
    }
}
