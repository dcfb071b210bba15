package io.mnemo.http;

import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * Reads a request body into memory up to a limit, whether it comes with a Content-Length or
 * chunked. Past the limit it keeps reading but drops what it reads, up to the drain limit (Pekko's
 * {@code parsing.max-content-length}), so that the 413 answer reaches a client still sending and
 * the connection stays usable: closing a socket with unread data resets it, and the client sees a
 * broken connection instead of the answer (Prometheus then retries instead of dropping the batch).
 * A body beyond the drain limit fails the read with Pekko's {@code EntityStreamSizeException}.
 * Memory held is at most the limit.
 */
final class BoundedBody {
    /**
     * What was read.
     *
     * @param bytes the body, exactly; null when it was too large
     * @param size  how many bytes the body had
     */
    record Outcome(byte[] bytes, long size) {
        boolean tooLarge() { return bytes == null; }
    }

    private final long max;
    private byte[] buffer;
    private int used;
    private long seen;

    private BoundedBody(long max, OptionalLong length) {
        this.max = Math.min(max, Integer.MAX_VALUE - 8); // a Java array's most
        long initial = length.isPresent() ? length.getAsLong() : 64 << 10;
        this.buffer = new byte[(int) Math.min(initial, this.max)];
    }

    /** Reads the entity: at most {@code max} bytes kept, at most {@code drainLimit} read, within the timeout. */
    static CompletionStage<Outcome> read(HttpEntity entity, long max, long drainLimit, Duration timeout, Materializer mat) {
        BoundedBody body = new BoundedBody(max, entity.getContentLengthOption());
        return entity.withSizeLimit(Math.max(max, drainLimit)).getDataBytes()
                .completionTimeout(timeout)
                .runWith(Sink.foreach(body::append), mat)
                .thenApply(done -> body.outcome());
    }

    private void append(ByteString chunk) {
        seen += chunk.size();
        if (buffer == null) return; // over the limit: drained, not kept
        if (seen > max) {
            buffer = null;
            return;
        }
        if (used + chunk.size() > buffer.length) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(Math.max((long) buffer.length * 2, used + chunk.size()), max));
        }
        chunk.asByteBuffer().get(buffer, used, chunk.size());
        used += chunk.size();
    }

    private Outcome outcome() {
        if (buffer == null) return new Outcome(null, seen);
        return new Outcome(used == buffer.length ? buffer : Arrays.copyOf(buffer, used), seen);
    }
}
