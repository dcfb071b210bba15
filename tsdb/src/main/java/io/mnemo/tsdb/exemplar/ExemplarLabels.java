package io.mnemo.tsdb.exemplar;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Varint;
import java.nio.charset.StandardCharsets;

/**
 * An exemplar's labels as the store keeps them: one byte array of (uvarint length, UTF-8 name,
 * uvarint length, UTF-8 value) pairs, sorted by name. One array per stored exemplar instead of a
 * {@link Labels} with its strings: a full store of a tenant holds 100,000 of them.
 */
public final class ExemplarLabels {
    private ExemplarLabels() {}

    /** The encoding of labels (allocates: tests, slow paths). */
    public static byte[] encode(Labels labels) {
        byte[][] parts = new byte[labels.size() * 2][];
        int size = 0;
        for (int i = 0; i < labels.size(); i++) {
            parts[2 * i] = labels.name(i).getBytes(StandardCharsets.UTF_8);
            parts[2 * i + 1] = labels.value(i).getBytes(StandardCharsets.UTF_8);
            size += Varint.size(parts[2 * i].length) + parts[2 * i].length + Varint.size(parts[2 * i + 1].length)
                    + parts[2 * i + 1].length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] p : parts) {
            at = Varint.put(out, at, p.length);
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The labels an encoding holds. */
    public static Labels decode(byte[] b) {
        int n = 0;
        for (int at = 0; at < b.length; n++) {
            long len = 0;
            int shift = 0;
            int x;
            do {
                x = b[at++] & 0xFF;
                len |= (long) (x & 0x7F) << shift;
                shift += 7;
            } while ((x & 0x80) != 0);
            at += (int) len;
        }
        String[] kv = new String[n];
        int at = 0;
        for (int i = 0; i < n; i++) {
            long len = 0;
            int shift = 0;
            int x;
            do {
                x = b[at++] & 0xFF;
                len |= (long) (x & 0x7F) << shift;
                shift += 7;
            } while ((x & 0x80) != 0);
            kv[i] = new String(b, at, (int) len, StandardCharsets.UTF_8);
            at += (int) len;
        }
        return Labels.of(kv);
    }
}
