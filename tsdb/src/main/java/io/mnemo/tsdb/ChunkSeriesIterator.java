package io.mnemo.tsdb;

import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.XorIterator;

/**
 * Iterates the samples of a series stored as time-ordered, non-overlapping chunks, limited to
 * [mint, maxt]. Chunks outside the range are skipped by their metadata without being decoded;
 * one {@link XorIterator} is reused across chunks, so nothing is allocated per sample.
 */
public final class ChunkSeriesIterator implements SampleIterator {
    private final ChunkMeta[] chunks;
    private final long mint;
    private final long maxt;
    private int ci = -1;          // index of the chunk being read
    private XorIterator cur;      // created with the first chunk opened
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
        while (!cur.next()) {
            if (!open(ci + 1)) return finish();
        }
        return cur.timestamp() <= maxt || finish();
    }

    @Override
    public boolean seek(long t) {
        if (done) return false;
        if (t < mint) t = mint;
        if (hasCurrent && cur.timestamp() >= t) return true;
        int i = Math.max(ci, 0);
        while (i < chunks.length && chunks[i].maxTime() < t) i++;
        if (i != ci && !open(i)) return finish();
        while (!cur.seek(t)) {
            if (!open(ci + 1)) return finish();
        }
        if (cur.timestamp() > maxt) return finish();
        hasCurrent = true;
        return true;
    }

    @Override
    public long timestamp() { return cur.timestamp(); }

    @Override
    public double value() { return cur.value(); }

    private boolean open(int i) {
        if (i >= chunks.length || chunks[i].minTime() > maxt) return false;
        ci = i;
        if (cur == null) cur = new XorIterator(chunks[i].chunk());
        else cur.reset(chunks[i].chunk());
        return true;
    }

    private boolean finish() {
        done = true;
        hasCurrent = false;
        return false;
    }
}
