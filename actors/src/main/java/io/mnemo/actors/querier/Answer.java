package io.mnemo.actors.querier;

import io.mnemo.actors.readpath.ExemplarFrames;
import io.mnemo.actors.readpath.StringFrames;
import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.SeriesSetCodec;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.exemplar.SeriesExemplars;
import java.util.ArrayList;
import java.util.List;

/**
 * What one attempt at one store's answer collected from its stream's frames; a fresh one for
 * every attempt, since an answer read again elsewhere starts over.
 */
interface Answer {
    /** Takes a frame, on the stream's thread; may throw to stop the query (a limit). */
    void frame(byte[] payload);

    /** Gives back what this attempt counted against the query's limits (it is read again elsewhere). */
    void discard();

    /**
     * Series frames, counted against the limits as they arrive and kept as they came: the series
     * are decoded again only as the query reads them. Holding a large answer as a few frames
     * rather than as decoded series (labels, strings, chunk objects: some forty objects a series)
     * is what keeps heavy queries from filling the young generation with live objects, whose
     * copying made long GC pauses for the whole node, ingestion included.
     */
    final class OfSeries implements Answer {
        private final QueryLimiter limiter;
        private final boolean countChunks;
        private final List<byte[]> frames = new ArrayList<>();
        private long chunkBytes;

        /** @param countChunks false for label sets (series without chunks) */
        OfSeries(QueryLimiter limiter, boolean countChunks) {
            this.limiter = limiter;
            this.countChunks = countChunks;
        }

        @Override
        public void frame(byte[] payload) {
            SeriesSet set = SeriesSetCodec.decode(payload);
            while (set.next()) {
                ChunkSeries s = (ChunkSeries) set.at();
                limiter.addSeries(s.labels());
                if (countChunks) {
                    long bytes = 0;
                    for (ChunkMeta c : s.chunks()) bytes += c.chunk().length();
                    chunkBytes += bytes;
                    limiter.addChunkBytes(bytes);
                }
            }
            frames.add(payload);
        }

        @Override
        public void discard() {
            limiter.addChunkBytes(-chunkBytes);
        }

        /** The series, sorted by labels (as the store sent them), a series split between frames joined again. */
        SeriesSet series() {
            return SeriesSetCodec.decodeFrames(frames);
        }
    }

    /** Exemplar frames: series with their exemplars. */
    final class OfExemplars implements Answer {
        final List<SeriesExemplars> series = new ArrayList<>();

        @Override
        public void frame(byte[] payload) {
            series.addAll(ExemplarFrames.decode(payload));
        }

        @Override
        public void discard() {}
    }

    /** Strings frames: label names or values. */
    final class OfStrings implements Answer {
        final List<String> strings = new ArrayList<>();

        @Override
        public void frame(byte[] payload) {
            StringFrames.decode(payload, strings);
        }

        @Override
        public void discard() {}
    }
}
