package io.mnemo.actors.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes protobuf wire format into a growable array that is reused from one message to the next.
 * A length-delimited field is opened with {@link #beginMessage} and closed with
 * {@link #endMessage}: one byte is reserved for its length, and the body is moved up in the rare
 * case its length needs more, so nested messages are written once and without sizing passes.
 * Not thread-safe.
 */
public final class ProtobufWriter {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LEN = 2;

    /** Arrays above this size are dropped on reset, so one huge message does not pin memory. */
    private static final int RETAINED_CAPACITY = 8 << 20;

    private final int initialCapacity;
    private byte[] buf;
    private int size;

    public ProtobufWriter(int initialCapacity) {
        this.initialCapacity = Math.max(16, initialCapacity);
        buf = new byte[this.initialCapacity];
    }

    /** Forgets what was written; keeps the array unless it grew past 8 MiB. */
    public ProtobufWriter reset() {
        if (buf.length > RETAINED_CAPACITY) buf = new byte[initialCapacity];
        size = 0;
        return this;
    }

    public byte[] buffer() { return buf; }

    public int size() { return size; }

    public byte[] toByteArray() { return Arrays.copyOf(buf, size); }

    public void tag(int field, int wire) {
        varint(((long) field << 3) | wire);
    }

    public void varint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    public void uint64Field(int field, long v) {
        tag(field, WIRE_VARINT);
        varint(v);
    }

    /** An int64 or enum field (two's complement varint). */
    public void int64Field(int field, long v) {
        uint64Field(field, v);
    }

    public void sint64Field(int field, long v) {
        uint64Field(field, (v << 1) ^ (v >> 63));
    }

    public void boolField(int field, boolean v) {
        uint64Field(field, v ? 1 : 0);
    }

    public void fixed64Field(int field, long bits) {
        tag(field, WIRE_FIXED64);
        fixed64(bits);
    }

    public void doubleField(int field, double v) {
        fixed64Field(field, Double.doubleToRawLongBits(v));
    }

    public void fixed32Field(int field, int bits) {
        tag(field, 5);
        ensure(4);
        for (int i = 0; i < 4; i++) buf[size++] = (byte) (bits >>> (8 * i));
    }

    public void fixed64(long bits) {
        ensure(8);
        for (int i = 0; i < 8; i++) buf[size++] = (byte) (bits >>> (8 * i));
    }

    public void stringField(int field, String s) {
        bytesField(field, s.getBytes(StandardCharsets.UTF_8));
    }

    public void bytesField(int field, byte[] b) {
        bytesField(field, b, 0, b.length);
    }

    public void bytesField(int field, byte[] b, int off, int len) {
        tag(field, WIRE_LEN);
        varint(len);
        raw(b, off, len);
    }

    public void raw(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    /** Opens a length-delimited field; returns the mark {@link #endMessage} closes it with. */
    public int beginMessage(int field) {
        tag(field, WIRE_LEN);
        ensure(1);
        return size++; // one byte reserved for the length
    }

    /** Closes the field opened at {@code mark}, writing its length. */
    public void endMessage(int mark) {
        int body = mark + 1;
        int len = size - body;
        int lenBytes = varintSize(len);
        if (lenBytes > 1) {
            ensure(lenBytes - 1);
            System.arraycopy(buf, body, buf, body + lenBytes - 1, len);
            size += lenBytes - 1;
        }
        int p = mark;
        long v = len;
        while ((v & ~0x7FL) != 0) {
            buf[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[p] = (byte) v;
    }

    public static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private void ensure(int n) {
        if (size + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }
}
