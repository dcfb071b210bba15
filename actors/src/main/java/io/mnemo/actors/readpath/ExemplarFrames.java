package io.mnemo.actors.readpath;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Varint;
import io.mnemo.tsdb.exemplar.Exemplar;
import io.mnemo.tsdb.exemplar.SeriesExemplars;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A store's exemplars (series with their exemplars, series sorted) as frames of a read stream,
 * each about {@code maxFrameBytes}. A series with more exemplars than a frame holds goes on in the
 * next frame under the same labels; {@link #decode} gives both parts, and the querier merges them
 * with the other partitions' answers by series.
 *
 * <pre>
 * payload  := version (1 byte = 1) uvarint(#series) series*
 * series   := labels uvarint(#exemplars) exemplar*
 * exemplar := labels varint(timestamp, zig-zag) value (8 bytes, IEEE-754 bits, little-endian)
 * labels   := uvarint(#labels) (string name, string value)*     string := uvarint(#bytes) UTF-8
 * </pre>
 */
public final class ExemplarFrames implements FrameSource {
    private static final int VERSION = 1;

    private final List<SeriesExemplars> series;
    private final int maxFrameBytes;
    private int nextSeries;
    private int nextExemplar; // within series nextSeries, when a frame ended inside it
    private long sent;

    public ExemplarFrames(List<SeriesExemplars> series, int maxFrameBytes) {
        this.series = series;
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public byte[] next() {
        if (nextSeries >= series.size()) return null;
        Out body = new Out();
        int count = 0;
        while (nextSeries < series.size() && (count == 0 || body.size < maxFrameBytes)) {
            SeriesExemplars s = series.get(nextSeries);
            body.labels(s.seriesLabels());
            int countAt = body.size;
            body.reserveCount();
            int n = 0;
            List<Exemplar> exemplars = s.exemplars();
            while (nextExemplar < exemplars.size() && (n == 0 || body.size < maxFrameBytes)) {
                Exemplar e = exemplars.get(nextExemplar++);
                body.labels(e.labels());
                body.uvarint(Varint.zigZag(e.timestamp()));
                long bits = Double.doubleToRawLongBits(e.value());
                for (int i = 0; i < 8; i++) body.put((byte) (bits >>> (8 * i)));
                n++;
            }
            body.fillCount(countAt, n);
            count++;
            if (nextExemplar == exemplars.size()) {
                nextSeries++;
                nextExemplar = 0;
                sent++;
            }
        }
        Out out = new Out();
        out.put((byte) VERSION);
        out.uvarint(count);
        out.bytes(body.buf, body.size);
        return Arrays.copyOf(out.buf, out.size);
    }

    @Override
    public long items() { return sent; }

    @Override
    public void close() {}

    /** The series entries of a payload, in order (a series split between frames is two entries). */
    public static List<SeriesExemplars> decode(byte[] payload) {
        In in = new In(payload);
        if (payload.length == 0 || in.b[in.at++] != VERSION) {
            throw new IllegalArgumentException("unsupported exemplars payload version "
                    + (payload.length == 0 ? "(empty)" : Integer.toString(payload[0])));
        }
        int count = in.count();
        List<SeriesExemplars> out = new ArrayList<>(count);
        for (int s = 0; s < count; s++) {
            Labels labels = in.labels();
            int n = in.count();
            List<Exemplar> exemplars = new ArrayList<>(n);
            for (int e = 0; e < n; e++) {
                Labels l = in.labels();
                long u = in.uvarint();
                long t = (u >>> 1) ^ -(u & 1);
                long bits = 0;
                for (int i = 0; i < 8; i++) bits |= (long) (in.take(1) & 0xFF) << (8 * i);
                exemplars.add(new Exemplar(l, Double.longBitsToDouble(bits), t));
            }
            out.add(new SeriesExemplars(labels, exemplars));
        }
        if (in.at != payload.length) throw new IllegalArgumentException("corrupt exemplars payload: trailing bytes");
        return out;
    }

    /** A growable byte buffer. */
    private static final class Out {
        byte[] buf = new byte[4096];
        int size;

        void ensure(int more) {
            if (size + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }

        void put(byte b) {
            ensure(1);
            buf[size++] = b;
        }

        void uvarint(long v) {
            ensure(Varint.MAX_BYTES);
            size = Varint.put(buf, size, v);
        }

        void bytes(byte[] b, int len) {
            ensure(len);
            System.arraycopy(b, 0, buf, size, len);
            size += len;
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            uvarint(b.length);
            bytes(b, b.length);
        }

        void labels(Labels l) {
            uvarint(l.size());
            for (int i = 0; i < l.size(); i++) {
                string(l.name(i));
                string(l.value(i));
            }
        }

        /** Room for a count written later: a fixed 5-byte varint. */
        void reserveCount() {
            ensure(5);
            size += 5;
        }

        void fillCount(int at, int n) {
            for (int i = 0; i < 4; i++) buf[at + i] = (byte) ((n >>> (7 * i)) & 0x7F | 0x80);
            buf[at + 4] = (byte) (n >>> 28);
        }
    }

    private static final class In {
        final byte[] b;
        int at;

        In(byte[] b) {
            this.b = b;
        }

        int take(int n) {
            if (at + n > b.length) throw new IllegalArgumentException("corrupt exemplars payload: ends early");
            int v = b[at];
            at += n;
            return v;
        }

        long uvarint() {
            long x = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int v = take(1) & 0xFF;
                x |= (long) (v & 0x7F) << shift;
                if ((v & 0x80) == 0) return x;
            }
            throw new IllegalArgumentException("corrupt exemplars payload: varint too long");
        }

        int count() {
            long n = uvarint();
            if (n > b.length) throw new IllegalArgumentException("corrupt exemplars payload: count " + n);
            return (int) n;
        }

        String string() {
            int len = count();
            if (at + len > b.length) throw new IllegalArgumentException("corrupt exemplars payload: string runs past the end");
            String s = new String(b, at, len, StandardCharsets.UTF_8);
            at += len;
            return s;
        }

        Labels labels() {
            String[] kv = new String[2 * count()];
            for (int i = 0; i < kv.length; i++) kv[i] = string();
            return Labels.of(kv);
        }
    }
}
