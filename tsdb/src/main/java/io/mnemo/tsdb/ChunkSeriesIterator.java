package io.mnemo.tsdb;

import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.ChunkEncoding;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.FloatHistogramChunk;
import io.mnemo.tsdb.chunkenc.FloatHistogramChunkIterator;
import io.mnemo.tsdb.chunkenc.HistogramChunk;
import io.mnemo.tsdb.chunkenc.HistogramChunkIterator;
import io.mnemo.tsdb.chunkenc.XorChunk;
import io.mnemo.tsdb.chunkenc.XorIterator;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;

/**
 * Iterates the samples of a series stored as time-ordered, non-overlapping chunks of any
 * encoding, limited to [mint, maxt]; a series changes sample type only at a chunk boundary, so
 * each chunk's samples are all floats or all histograms. Chunks outside the range are skipped by
 * their metadata without being decoded; one decoder per encoding is reused across chunks, so
 * nothing is allocated per float sample. A histogram sample is decoded into a new
 * {@link FloatHistogram} when {@link #histogram()} asks for it, which the caller may keep.
 */
public final class ChunkSeriesIterator implements HistogramIterator {
    private final ChunkMeta[] chunks;
    private final long mint;
    private final long maxt;
    private int ci = -1;          // index of the chunk being read
    private XorIterator xor;      // each decoder created with the first chunk of its encoding
    private HistogramChunkIterator hist;
    private FloatHistogramChunkIterator floatHist;
    private ChunkEncoding encoding; // of the chunk being read
    private FloatHistogram current; // the current histogram sample, once decoded
    private boolean hasCurrent;   // positioned on a sample inside [mint, maxt]
    private boolean done;

    public ChunkSeriesIterator(ChunkMeta[] chunks, long mint, long maxt) {
        this.chunks = chunks;
        this.mint = mint;
        this.maxt = maxt;
    }

    @Override
    public boolean next() {
        if (done) return false;
        if (!hasCurrent) return seek(mint);
        current = null;
        while (!advance()) {
            if (!open(ci + 1)) return finish();
        }
        return timestamp() <= maxt || finish();
    }

    @Override
    public boolean seek(long t) {
        if (done) return false;
        if (t < mint) t = mint;
        if (hasCurrent && timestamp() >= t) return true;
        current = null;
        int i = Math.max(ci, 0);
        while (i < chunks.length && chunks[i].maxTime() < t) i++;
        if (i != ci && !open(i)) return finish();
        while (!seekInChunk(t)) {
            if (!open(ci + 1)) return finish();
        }
        if (timestamp() > maxt) return finish();
        hasCurrent = true;
        return true;
    }

    @Override
    public long timestamp() {
        return switch (encoding) {
            case XOR -> xor.timestamp();
            case HISTOGRAM -> hist.timestamp();
            case FLOAT_HISTOGRAM -> floatHist.timestamp();
        };
    }

    /**
     * The float value; for a histogram sample, Prometheus's StaleNaN when it is a stale marker and
     * 0 otherwise (readers that know histograms ask {@link #histogram()} first).
     */
    @Override
    public double value() {
        return switch (encoding) {
            case XOR -> xor.value();
            case HISTOGRAM -> hist.isStale() ? StaleNaN.VALUE : 0;
            case FLOAT_HISTOGRAM -> floatHist.isStale() ? StaleNaN.VALUE : 0;
        };
    }

    @Override
    public FloatHistogram histogram() {
        if (current != null) return current;
        return switch (encoding) {
            case XOR -> null;
            case HISTOGRAM -> current = hist.atFloatHistogram(null);
            case FLOAT_HISTOGRAM -> current = floatHist.atFloatHistogram(null);
        };
    }

    @Override
    public Histogram integerHistogram() {
        return encoding == ChunkEncoding.HISTOGRAM ? hist.atHistogram(null) : null;
    }

    /** Whether the current sample is a histogram (integer or float), without decoding it. */
    public boolean isHistogram() { return encoding != ChunkEncoding.XOR; }

    private boolean advance() {
        return switch (encoding) {
            case XOR -> xor.next();
            case HISTOGRAM -> hist.next();
            case FLOAT_HISTOGRAM -> floatHist.next();
        };
    }

    private boolean seekInChunk(long t) {
        return switch (encoding) {
            case XOR -> xor.seek(t);
            case HISTOGRAM -> hist.seek(t);
            case FLOAT_HISTOGRAM -> floatHist.seek(t);
        };
    }

    private boolean open(int i) {
        if (i >= chunks.length || chunks[i].minTime() > maxt) return false;
        ci = i;
        Chunk c = chunks[i].chunk();
        encoding = c.encoding();
        switch (encoding) {
            case XOR -> {
                if (xor == null) xor = new XorIterator((XorChunk) c);
                else xor.reset((XorChunk) c);
            }
            case HISTOGRAM -> {
                if (hist == null) hist = new HistogramChunkIterator((HistogramChunk) c);
                else hist.reset((HistogramChunk) c);
            }
            case FLOAT_HISTOGRAM -> {
                if (floatHist == null) floatHist = new FloatHistogramChunkIterator((FloatHistogramChunk) c);
                else floatHist.reset((FloatHistogramChunk) c);
            }
        }
        return true;
    }

    private boolean finish() {
        done = true;
        hasCurrent = false;
        current = null;
        return false;
    }
}
