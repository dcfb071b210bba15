package io.mnemo.actors.readpath;

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
}
