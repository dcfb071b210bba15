package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes one series' samples, given in time order and of any type, into time-ordered chunks
 * of the encoding each sample needs: floats into XOR chunks of at most {@code samplesPerChunk},
 * integer and float native histograms into their own chunks, cut as Prometheus's head cuts them
 * (at {@link #HISTOGRAM_CHUNK_BYTES} once a chunk holds {@link #HISTOGRAM_CHUNK_MIN_SAMPLES}, or
 * where the appender needs a new chunk: counter reset, schema change). A change of sample type
 * always starts a new chunk. How merged, trimmed or out-of-order samples become chunks again
 * (heads writing blocks, the compactor, the querier's series codec); one instance per series.
 */
public final class ChunkCutter {
    /** Prometheus's {@code TargetBytesPerHistogramChunk}. */
    public static final int HISTOGRAM_CHUNK_BYTES = 1024;
    /** Prometheus's {@code MinSamplesPerHistogramChunk}. */
    public static final int HISTOGRAM_CHUNK_MIN_SAMPLES = 10;

    private final int samplesPerChunk;
    private final List<ChunkMeta> out = new ArrayList<>();
    private XorChunk xorChunk;
    private XorAppender xor;
    private HistogramAppender hist;
    private FloatHistogramAppender floatHist;
    private long first;
    private long last;

    /** @param samplesPerChunk the most float samples an XOR chunk takes */
    public ChunkCutter(int samplesPerChunk) {
        if (samplesPerChunk <= 0 || samplesPerChunk > XorChunk.MAX_SAMPLES) {
            throw new IllegalArgumentException("samples per chunk out of range: " + samplesPerChunk);
        }
        this.samplesPerChunk = samplesPerChunk;
    }

    /**
     * Appends the iterator's current sample as the type it is: an integer histogram stays one
     * ({@link HistogramIterator#integerHistogram()}), so re-encoding keeps encodings.
     */
    public void append(SampleIterator it) {
        if (it instanceof HistogramIterator h) {
            Histogram ih = h.integerHistogram();
            if (ih != null) {
                appendHistogram(it.timestamp(), ih);
                return;
            }
            FloatHistogram fh = h.histogram();
            if (fh != null) {
                appendFloatHistogram(it.timestamp(), fh);
                return;
            }
        }
        appendFloat(it.timestamp(), it.value());
    }

    /** All the samples left in an iterator (from its next one), as chunks. */
    public static List<ChunkMeta> encode(SampleIterator it, int samplesPerChunk) {
        ChunkCutter cutter = new ChunkCutter(samplesPerChunk);
        while (it.next()) cutter.append(it);
        return cutter.finish();
    }

    /** Appends a float sample (stale markers included), later than every sample given before. */
    public void appendFloat(long t, double v) {
        if (xor == null || xorChunk.numSamples() >= samplesPerChunk) {
            close();
            xorChunk = new XorChunk();
            xor = xorChunk.appender();
            first = t;
        }
        xor.append(t, v);
        last = t;
    }

    /** Appends an integer histogram sample (valid, see {@link Histogram#validate()}); not kept. */
    public void appendHistogram(long t, Histogram h) {
        HistogramAppender previous = null;
        if (hist != null && full(hist.chunk())) {
            previous = hist;
            close();
        } else if (hist == null) {
            close();
        }
        if (hist == null) {
            hist = new HistogramChunk().appender().append(t, h, previous);
            first = t;
        } else {
            HistogramAppender next = hist.append(t, h);
            if (next.outcome() == HistogramAppender.Outcome.NEW_CHUNK) {
                closeAt(hist.chunk());
                first = t;
            }
            hist = next;
        }
        last = t;
    }

    /** Appends a float histogram sample (valid); not kept. */
    public void appendFloatHistogram(long t, FloatHistogram h) {
        FloatHistogramAppender previous = null;
        if (floatHist != null && full(floatHist.chunk())) {
            previous = floatHist;
            close();
        } else if (floatHist == null) {
            close();
        }
        if (floatHist == null) {
            floatHist = new FloatHistogramChunk().appender().append(t, h, previous);
            first = t;
        } else {
            FloatHistogramAppender next = floatHist.append(t, h);
            if (next.outcome() == HistogramAppender.Outcome.NEW_CHUNK) {
                closeAt(floatHist.chunk());
                first = t;
            }
            floatHist = next;
        }
        last = t;
    }

    /** Whether chunks were closed since the last {@link #takeClosed()} or {@link #finish()}. */
    public boolean hasClosed() { return !out.isEmpty(); }

    /**
     * The chunks closed so far, the open one left open, and forgotten here: how a writer streams
     * a long series out without holding all its chunks.
     */
    public List<ChunkMeta> takeClosed() {
        List<ChunkMeta> chunks = new ArrayList<>(out);
        out.clear();
        return chunks;
    }

    /** The chunks of every sample appended, the open one closed; the cutter starts over empty. */
    public List<ChunkMeta> finish() {
        close();
        List<ChunkMeta> chunks = new ArrayList<>(out);
        out.clear();
        return chunks;
    }

    /**
     * Whether a histogram chunk (integer or float) is complete: a new sample goes to a new chunk,
     * as Prometheus's head cuts them.
     */
    public static boolean isFullHistogramChunk(Chunk c) {
        return c instanceof HistogramChunkBytes h && full(h);
    }

    private static boolean full(HistogramChunkBytes c) {
        return c.numSamples() >= HistogramChunkBytes.MAX_SAMPLES
                || (c.numSamples() >= HISTOGRAM_CHUNK_MIN_SAMPLES && c.length() >= HISTOGRAM_CHUNK_BYTES);
    }

    /** Ends the open chunk, whatever its encoding. */
    private void close() {
        if (xor != null) closeAt(xorChunk);
        else if (hist != null) closeAt(hist.chunk());
        else if (floatHist != null) closeAt(floatHist.chunk());
        xorChunk = null;
        xor = null;
        hist = null;
        floatHist = null;
    }

    /** Ends a chunk whose last sample is at {@link #last}. */
    private void closeAt(Chunk c) {
        out.add(new ChunkMeta(c, first, last));
    }
}
