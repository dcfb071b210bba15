package io.mnemo.tsdb;

import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Packs a series set into byte arrays and back: how an ingester ships query results to a
 * querier on another node, as one payload or as a stream of bounded payloads ("frames", see
 * {@link FrameWriter}): consecutive series entries with equal labels, in one payload or across
 * consecutive frames, are parts of one series split at chunk boundaries. Samples travel as
 * Prometheus chunks of any encoding (XOR floats, integer and float native histograms), each
 * with its encoding byte; decoding parses labels and chunk boundaries only, and the chunks are
 * decoded lazily, straight from the array, by the series' iterators. A {@link ChunkSeries} (what
 * heads and blocks answer) ships its chunks as they are, with its time bounds, which the decoded
 * series applies again: no sample is decoded or encoded on the way. Other series (merged ones)
 * are encoded anew by a {@link ChunkCutter}, each sample as its type, floats
 * {@value #SAMPLES_PER_CHUNK} a chunk.
 *
 * <pre>
 * payload  := version(1 byte = 3) series*          -- versions 2 and 1 still read (below)
 * series   := uvarint(#labels) (string string)* bounds uvarint(#chunks) chunk*
 * bounds   := byte(0)                              -- every sample of the chunks belongs to it
 *           | byte(1) varint(mint) varint(maxt)     -- only samples in [mint, maxt] do
 * string   := uvarint(0) uvarint(#bytes) utf8      -- new string, becomes entry n of the dictionary
 *           | uvarint(n + 1)                        -- dictionary entry n
 * chunk    := varint(minTime - previous maxTime, or minTime for the first) varint(maxTime - minTime)
 *             byte(encoding) uvarint(#bytes) chunk-bytes
 *                                                   -- varints are zig-zag, as in Go; encoding is
 *                                                      Prometheus's chunk encoding byte (1 XOR,
 *                                                      2 histogram, 3 float histogram); chunk-bytes
 *                                                      start with the 16-bit sample count
 * version 2: chunk has no encoding byte, every chunk is XOR
 * version 1: as version 2, and series have no bounds (their chunks hold only samples of the range)
 * </pre>
 */
public final class SeriesSetCodec {
    public static final int SAMPLES_PER_CHUNK = 120;
    private static final byte VERSION = 3;
    /** XOR chunks only, without encoding bytes: what nodes before native histograms send. */
    private static final byte VERSION_XOR_ONLY = 2;
    /** As {@link #VERSION_XOR_ONLY}, and series without bounds. */
    private static final byte VERSION_UNBOUNDED = 1;

    private SeriesSetCodec() {}

    /** Encodes every series of the set (consuming it) as one payload; each iterator must be in time order. */
    public static byte[] encode(SeriesSet set) {
        byte[] payload = new FrameWriter(set, Integer.MAX_VALUE).next();
        return payload != null ? payload : new byte[] {VERSION};
    }

    /**
     * Encodes a series set as a sequence of payloads ("frames") of about {@code maxFrameBytes}
     * each, pulling series from the set only as frames are asked for: how an answer travels as a
     * stream of bounded batches. Each frame is a payload {@link #decode} reads on its own (its own
     * string dictionary). A series that does not fit in what is left of a frame is split at chunk
     * boundaries: each part repeats its labels and bounds, and {@link #decodeFrames} joins
     * consecutive parts again. A frame holds at least one chunk, so a single chunk larger than the
     * budget makes a frame larger than it. Not thread-safe.
     */
    public static final class FrameWriter {
        private final SeriesSet set;
        private final int maxFrameBytes;
        private final Map<String, Integer> dictionary = new HashMap<>();
        // The series being written when the last frame filled up: its labels, bounds, chunks, and the next chunk.
        private Labels labels;
        private boolean bounded;
        private long mint;
        private long maxt;
        private ChunkMeta[] chunks;
        private int nextChunk;
        private boolean exhausted;
        private long seriesWritten;
        private long chunkBytesWritten;
        // One buffer for every frame: grown once to a frame's size instead of doubling up from 1 KiB per frame.
        private final Out out = new Out();

        public FrameWriter(SeriesSet set, int maxFrameBytes) {
            if (maxFrameBytes <= 0) throw new IllegalArgumentException("frame budget must be positive");
            this.set = set;
            this.maxFrameBytes = maxFrameBytes;
        }

        /** The next frame, or null when the set is exhausted. */
        public byte[] next() {
            if (labels == null && !advance()) return null;
            out.reset();
            out.writeByte(VERSION);
            dictionary.clear();
            do {
                writePart(out);
                if (nextChunk < chunks.length) break; // the frame is full in the middle of a series
                labels = null;
            } while (out.size() < maxFrameBytes && advance());
            return out.toByteArray();
        }

        /** Series started so far (a series split over frames counts once). */
        public long series() { return seriesWritten; }

        /** Bytes of chunk data written so far. */
        public long chunkBytes() { return chunkBytesWritten; }

        private boolean advance() {
            if (exhausted || !set.next()) {
                exhausted = true;
                return false;
            }
            Series s = set.at();
            labels = s.labels();
            nextChunk = 0;
            seriesWritten++;
            if (s instanceof ChunkSeries cs) {
                bounded = true;
                mint = cs.mint();
                maxt = cs.maxt();
                chunks = cs.chunks();
            } else {
                bounded = false;
                chunks = encodeAnew(s);
            }
            return true;
        }

        /** Labels, bounds and as many of the remaining chunks as fit (at least one, if any are left). */
        private void writePart(Out out) {
            out.writeUvarint(labels.size());
            for (int i = 0; i < labels.size(); i++) {
                writeString(out, dictionary, labels.name(i));
                writeString(out, dictionary, labels.value(i));
            }
            if (bounded) {
                out.writeByte(1);
                out.writeVarint(mint);
                out.writeVarint(maxt);
            } else {
                out.writeByte(0);
            }
            int end = nextChunk;
            long size = out.size();
            while (end < chunks.length) {
                long more = chunks[end].chunk().length() + 1L + 3L * Varint.MAX_BYTES;
                if (end > nextChunk && size + more > maxFrameBytes) break;
                size += more;
                end++;
            }
            out.writeUvarint(end - nextChunk);
            long prevMax = 0;
            for (int i = nextChunk; i < end; i++) {
                ChunkMeta m = chunks[i];
                Chunk c = m.chunk();
                out.writeVarint(m.minTime() - prevMax);
                out.writeVarint(m.maxTime() - m.minTime());
                out.writeByte(c.encoding().code());
                out.writeUvarint(c.length());
                // A head chunk's view: the array's header may count samples appended after the view was taken.
                out.writeByte(c.numSamples() >>> 8);
                out.writeByte(c.numSamples());
                out.writeBytes(c.array(), c.offset() + SAMPLE_COUNT_BYTES, c.length() - SAMPLE_COUNT_BYTES);
                chunkBytesWritten += c.length();
                prevMax = m.maxTime();
            }
            nextChunk = end;
        }
    }

    /** The sample count every chunk encoding starts with. */
    private static final int SAMPLE_COUNT_BYTES = 2;

    /**
     * The samples of a series that is not chunk-backed (a merged one) in new chunks, each sample
     * as its type: floats {@value #SAMPLES_PER_CHUNK} a chunk, histograms as Prometheus cuts them.
     */
    private static ChunkMeta[] encodeAnew(Series s) {
        return ChunkCutter.encode(s.iterator(), SAMPLES_PER_CHUNK).toArray(new ChunkMeta[0]);
    }

    /**
     * The series of consecutive frames of one answer ({@link FrameWriter}), with the parts of a
     * series split between frames joined again. Frames are decoded lazily, one at a time; the
     * arrays must not change while the set is in use.
     */
    public static SeriesSet decodeFrames(List<byte[]> frames) {
        return joinParts(new java.util.Iterator<>() {
            private int frame = -1;
            private SeriesSet current = SeriesSet.EMPTY;
            private ChunkSeries pulled;

            @Override
            public boolean hasNext() {
                if (pulled != null) return true;
                while (!current.next()) {
                    if (++frame >= frames.size()) return false;
                    current = decode(frames.get(frame));
                }
                pulled = (ChunkSeries) current.at();
                return true;
            }

            @Override
            public ChunkSeries next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                ChunkSeries s = pulled;
                pulled = null;
                return s;
            }
        });
    }

    /**
     * The series of decoded frames ({@link FrameWriter}) in order, with consecutive parts of one
     * series (equal labels) joined into one.
     */
    public static SeriesSet joinParts(java.util.Iterator<ChunkSeries> parts) {
        return new SeriesSet() {
            private ChunkSeries ahead;
            private ChunkSeries at;

            @Override
            public boolean next() {
                ChunkSeries s = ahead != null ? ahead : pull();
                ahead = null;
                if (s == null) {
                    at = null;
                    return false;
                }
                ChunkSeries part;
                while ((part = pull()) != null && part.labels().equals(s.labels())) {
                    ChunkMeta[] joined = Arrays.copyOf(s.chunks(), s.chunks().length + part.chunks().length);
                    System.arraycopy(part.chunks(), 0, joined, s.chunks().length, part.chunks().length);
                    s = new ChunkSeries(s.labels(), joined, s.mint(), s.maxt());
                }
                ahead = part;
                at = s;
                return true;
            }

            private ChunkSeries pull() {
                return parts.hasNext() ? parts.next() : null;
            }

            @Override
            public Series at() {
                if (at == null) throw new IllegalStateException("no current series");
                return at;
            }
        };
    }

    /** A series set reading the payload lazily; the array must not change while it is in use. */
    public static SeriesSet decode(byte[] data) {
        return decode(data, 0, data.length);
    }

    public static SeriesSet decode(byte[] data, int offset, int length) {
        In in = new In(data, offset, offset + length);
        int version = in.readByte();
        if (version != VERSION && version != VERSION_XOR_ONLY && version != VERSION_UNBOUNDED) {
            throw new IllegalArgumentException("unsupported series set payload version " + version
                    + " (this node reads versions " + VERSION_UNBOUNDED + " to " + VERSION + ")");
        }
        return new Decoded(in, version);
    }

    private static void writeString(Out out, Map<String, Integer> dictionary, String s) {
        Integer idx = dictionary.get(s);
        if (idx != null) {
            out.writeUvarint(idx + 1L);
            return;
        }
        dictionary.put(s, dictionary.size());
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeUvarint(0);
        out.writeUvarint(b.length);
        out.writeBytes(b, 0, b.length);
    }

    private static final class Decoded implements SeriesSet {
        private final In in;
        /** Version 1 (older nodes): series have no bounds byte, their chunks hold only samples of the range. */
        private final boolean unbounded;
        /** Versions 1 and 2 (older nodes): no encoding byte, every chunk is XOR. */
        private final boolean xorOnly;
        private final List<String> dictionary = new ArrayList<>();
        private Series current;

        Decoded(In in, int version) {
            this.in = in;
            this.unbounded = version == VERSION_UNBOUNDED;
            this.xorOnly = version != VERSION;
        }

        @Override
        public boolean next() {
            if (!in.hasMore()) {
                current = null;
                return false;
            }
            int numLabels = in.readCount();
            String[] kv = new String[numLabels * 2];
            for (int i = 0; i < kv.length; i++) kv[i] = readString();
            long mint = Long.MIN_VALUE, maxt = Long.MAX_VALUE;
            int bounds = unbounded ? 0 : in.readByte();
            if (bounds == 1) {
                mint = in.readVarint();
                maxt = in.readVarint();
            } else if (bounds != 0) {
                throw In.corrupt("bounds flag " + bounds);
            }
            int numChunks = in.readCount();
            ChunkMeta[] chunks = new ChunkMeta[numChunks];
            long prevMax = 0;
            for (int i = 0; i < numChunks; i++) {
                long min = prevMax + in.readVarint();
                long max = min + in.readVarint();
                ChunkEncoding encoding = ChunkEncoding.XOR;
                if (!xorOnly) {
                    int code = in.readByte();
                    encoding = ChunkEncoding.of(code);
                    if (encoding == null) throw In.corrupt("chunk encoding " + code);
                }
                int len = in.readCount();
                chunks[i] = new ChunkMeta(Chunk.wrap(encoding, in.data, in.take(len), len), min, max);
                prevMax = max;
            }
            current = new ChunkSeries(Labels.wrapSorted(kv), chunks, mint, maxt);
            return true;
        }

        @Override
        public Series at() {
            if (current == null) throw new IllegalStateException("no current series");
            return current;
        }

        private String readString() {
            long ref = in.readUvarint();
            if (ref == 0) {
                int len = in.readCount();
                String s = new String(in.data, in.take(len), len, StandardCharsets.UTF_8);
                dictionary.add(s);
                return s;
            }
            if (ref > dictionary.size()) throw In.corrupt("string reference " + ref + " beyond dictionary");
            return dictionary.get((int) ref - 1);
        }
    }

    private static final class Out {
        private byte[] buf = new byte[1024];
        private int n;

        void writeByte(int b) {
            ensure(1);
            buf[n++] = (byte) b;
        }

        void writeUvarint(long x) {
            ensure(Varint.MAX_BYTES);
            n = Varint.put(buf, n, x);
        }

        void writeVarint(long x) { writeUvarint(Varint.zigZag(x)); }

        void writeBytes(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, n, len);
            n += len;
        }

        byte[] toByteArray() { return Arrays.copyOf(buf, n); }

        void reset() { n = 0; }

        int size() { return n; }

        private void ensure(int more) {
            if (n + more > buf.length) buf = Arrays.copyOf(buf, Math.max(n + more, buf.length * 2));
        }
    }

    private static final class In {
        final byte[] data;
        private int pos;
        private final int end;

        In(byte[] data, int pos, int end) {
            if (pos < 0 || end > data.length || pos > end) throw new IllegalArgumentException("bad payload bounds");
            this.data = data;
            this.pos = pos;
            this.end = end;
        }

        boolean hasMore() { return pos < end; }

        int readByte() {
            if (pos >= end) throw corrupt("payload ends early");
            return data[pos++] & 0xFF;
        }

        long readUvarint() {
            long x = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                int b = readByte();
                x |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return x;
            }
            throw corrupt("varint too long");
        }

        long readVarint() {
            long zz = readUvarint();
            return (zz >>> 1) ^ -(zz & 1);
        }

        /** A length or count, checked against what is left so corrupt input cannot over-allocate. */
        int readCount() {
            long c = readUvarint();
            if (c > end - pos) throw corrupt("count " + c + " exceeds the " + (end - pos) + " bytes left");
            return (int) c;
        }

        /** Skips len bytes, returning where they start. */
        int take(int len) {
            if (len > end - pos) throw corrupt("payload ends early");
            int at = pos;
            pos += len;
            return at;
        }

        static IllegalArgumentException corrupt(String what) {
            return new IllegalArgumentException("corrupt series set payload: " + what);
        }
    }
}
