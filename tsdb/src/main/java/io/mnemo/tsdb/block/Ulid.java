package io.mnemo.tsdb.block;

import java.security.SecureRandom;

/**
 * A ULID, the id of a block: 48 bits of Unix time in milliseconds then 80 random bits, written
 * as 26 characters of Crockford's base32, so ids sort by creation time as strings and as values.
 * Ids generated in the same millisecond by this process increase by one in their random part,
 * so they stay ordered (ULID's monotonic mode).
 */
public final class Ulid implements Comparable<Ulid> {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final byte[] DECODE = new byte[128];
    private static final long MAX_TIME = (1L << 48) - 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        java.util.Arrays.fill(DECODE, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            DECODE[ALPHABET[i]] = (byte) i;
            DECODE[Character.toLowerCase(ALPHABET[i])] = (byte) i;
        }
        // Crockford's aliases for easily confused letters.
        DECODE['O'] = DECODE['o'] = 0;
        DECODE['I'] = DECODE['i'] = DECODE['L'] = DECODE['l'] = 1;
    }

    private static long lastTime = -1;
    private static long lastHi;   // top 16 random bits
    private static long lastLo;   // low 64 random bits

    private final long msb; // time(48) | random(16)
    private final long lsb; // random(64)

    private Ulid(long msb, long lsb) {
        this.msb = msb;
        this.lsb = lsb;
    }

    /** A new id for now. */
    public static Ulid generate() {
        return generate(System.currentTimeMillis());
    }

    /** A new id for the given time; monotonic with the previous one when the time is the same. */
    public static synchronized Ulid generate(long timeMs) {
        if (timeMs < 0 || timeMs > MAX_TIME) throw new IllegalArgumentException("time out of ULID range: " + timeMs);
        if (timeMs == lastTime) {
            lastLo++;
            if (lastLo == 0) {
                lastHi++;
                if (lastHi > 0xFFFF) throw new IllegalStateException("ULID random part overflowed in one millisecond");
            }
        } else {
            lastTime = timeMs;
            // The top random bit starts clear, leaving 2^79 increments before an overflow.
            lastHi = RANDOM.nextInt(1 << 15);
            lastLo = RANDOM.nextLong();
        }
        return new Ulid((timeMs << 16) | lastHi, lastLo);
    }

    /** @throws IllegalArgumentException for anything but 26 base32 characters within range */
    public static Ulid parse(String s) {
        if (s.length() != 26) throw new IllegalArgumentException("a ULID has 26 characters: \"" + s + "\"");
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 26; i++) {
            char c = s.charAt(i);
            int v = c < 128 ? DECODE[c] : -1;
            if (v < 0) throw new IllegalArgumentException("not a base32 ULID character '" + c + "' in \"" + s + "\"");
            if (i == 0 && v > 7) throw new IllegalArgumentException("ULID overflows 128 bits: \"" + s + "\"");
            hi = (hi << 5) | (lo >>> 59);
            lo = (lo << 5) | v;
        }
        return new Ulid(hi, lo);
    }

    /** Whether a string is a valid ULID (e.g. to tell block directories from others). */
    public static boolean isValid(String s) {
        try {
            parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Milliseconds since the epoch when the id was generated. */
    public long timestamp() { return msb >>> 16; }

    @Override
    public String toString() {
        char[] out = new char[26];
        long hi = msb;
        long lo = lsb;
        for (int i = 25; i >= 0; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo = (lo >>> 5) | (hi << 59);
            hi >>>= 5;
        }
        return new String(out);
    }

    @Override
    public int compareTo(Ulid o) {
        int c = Long.compareUnsigned(msb, o.msb);
        return c != 0 ? c : Long.compareUnsigned(lsb, o.lsb);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ulid u && u.msb == msb && u.lsb == lsb;
    }

    @Override
    public int hashCode() { return Long.hashCode(msb) * 31 + Long.hashCode(lsb); }
}
