package io.mnemo.actors.readpath;

import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.SeriesSetCodec;

/**
 * The frames of one answer, produced on demand on a read thread, one at a time: whatever the
 * store holds for the answer (a pinned view of blocks, a lock taken per frame) lives from the
 * first frame until {@link #close}, which comes on completion, failure and cancellation alike.
 */
public interface FrameSource extends AutoCloseable {

    /** The next frame, or null when the answer is complete. */
    byte[] next();

    /** Series or strings sent so far. */
    long items();

    @Override
    void close();

    /** The frames of a series set ({@link SeriesSetCodec.FrameWriter}, {@link ReadStreams#MAX_FRAME_BYTES} each); closing closes {@code source}. */
    static FrameSource ofSeries(SeriesSet set, AutoCloseable source) {
        SeriesSetCodec.FrameWriter writer = new SeriesSetCodec.FrameWriter(set, ReadStreams.MAX_FRAME_BYTES);
        return new FrameSource() {
            public byte[] next() { return writer.next(); }

            public long items() { return writer.series(); }

            public void close() {
                try {
                    source.close();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }
}
