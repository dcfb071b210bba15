package io.mnemo.actors.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A cursor over protobuf wire format in a byte array: tags, varints, length prefixes, fixed64
 * values and skipping unknown fields (groups included), each checked against a limit, the end of
 * the enclosing message. The readers of remote-write requests and ingest records extend it and
 * walk their messages field by field, without building message objects. Damage is reported by
 * the subclass's {@link #malformed}, with the byte offset from {@link #start}.
 */
public abstract class ProtobufCursor {
    protected static final int WIRE_VARINT = 0;
    protected static final int WIRE_FIXED64 = 1;
    protected static final int WIRE_LEN = 2;
    protected static final int WIRE_START_GROUP = 3;
    protected static final int WIRE_END_GROUP = 4;
    protected static final int WIRE_FIXED32 = 5;
    private static final int MAX_GROUP_DEPTH = 64;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    protected static final byte[] NO_BYTES = new byte[0];

    protected byte[] buf = NO_BYTES;
    /** Where the message starts: error offsets count from here. */
    protected int start;
    /** The read position. */
    protected int p;

    /** The exception for damage found at byte {@code at} of {@link #buf}. */
    protected abstract RuntimeException malformed(String what, int at);

    protected final long readVarint(int limit) {
        if (p < limit && buf[p] >= 0) return buf[p++]; // one byte: tags, most lengths and refs
        int at = p;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= limit) throw malformed("truncated varint", at);
            byte b = buf[p++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) return result;
        }
        throw malformed("varint longer than 10 bytes", at);
    }

    protected final int readTag(int limit) {
        int at = p;
        long tag = readVarint(limit);
        if ((tag & ~0xFFFFFFFFL) != 0) throw malformed("field tag does not fit in 32 bits", at);
        if (tag >>> 3 == 0) throw malformed("field number 0 is invalid", at);
        return (int) tag;
    }

    /** Reads a length prefix and checks that that many bytes are left before {@code limit}. */
    protected final int readLength(int limit) {
        int at = p;
        long len = readVarint(limit);
        if (len < 0 || len > limit - p) {
            throw malformed("length " + Long.toUnsignedString(len) + " runs past the end of its enclosing message ("
                    + (limit - p) + " bytes left)", at);
        }
        return (int) len;
    }

    /** A little-endian fixed64 (a double's bits), checked against the limit. */
    protected final long readFixed64(int limit, String what) {
        require(8, limit, what);
        long bits = (long) LONG_LE.get(buf, p);
        p += 8;
        return bits;
    }

    /** Refuses a field that arrived with another wire type than its message declares. */
    protected final void expectWire(int wire, int expected, String field) {
        if (wire != expected) throw malformed(field + " has wire type " + wire + ", want " + expected, p);
    }

    protected final void require(int n, int limit, String what) {
        if (limit - p < n) throw malformed("truncated " + what + " (" + (limit - p) + " of " + n + " bytes)", p);
    }

    /** Skips the value of a field whose tag has just been read; groups are skipped whole. */
    protected final void skipField(int field, int wire, int limit) {
        skipField(field, wire, limit, 0);
    }

    private void skipField(int field, int wire, int limit, int depth) {
        switch (wire) {
            case WIRE_VARINT -> readVarint(limit);
            case WIRE_FIXED64 -> {
                require(8, limit, "a fixed64 value");
                p += 8;
            }
            case WIRE_LEN -> {
                int len = readLength(limit); // not "p += readLength()": that would add to p's old value
                p += len;
            }
            case WIRE_FIXED32 -> {
                require(4, limit, "a fixed32 value");
                p += 4;
            }
            case WIRE_START_GROUP -> {
                if (depth >= MAX_GROUP_DEPTH) throw malformed("groups nested deeper than " + MAX_GROUP_DEPTH, p);
                while (true) {
                    if (p >= limit) throw malformed("group of field " + field + " is not closed", p);
                    int tag = readTag(limit);
                    if ((tag & 7) == WIRE_END_GROUP) {
                        if (tag >>> 3 != field) {
                            throw malformed("group of field " + field + " closed by an end-group tag of field " + (tag >>> 3), p);
                        }
                        return;
                    }
                    skipField(tag >>> 3, tag & 7, limit, depth + 1);
                }
            }
            case WIRE_END_GROUP -> throw malformed("end-group tag of field " + field + " without a start-group", p);
            default -> throw malformed("invalid wire type " + wire + " for field " + field, p);
        }
    }
}
