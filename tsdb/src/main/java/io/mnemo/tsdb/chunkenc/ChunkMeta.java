package io.mnemo.tsdb.chunkenc;

/**
 * A chunk of any encoding with the time range of its samples, so readers can skip chunks without decoding them.
 * Like Prometheus's {@code chunks.Meta}; times are inclusive milliseconds.
 */
public record ChunkMeta(Chunk chunk, long minTime, long maxTime) {
    public boolean overlaps(long mint, long maxt) {
        return minTime <= maxt && maxTime >= mint;
    }
}
