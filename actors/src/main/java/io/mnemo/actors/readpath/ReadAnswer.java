package io.mnemo.actors.readpath;

import io.mnemo.persistence.MnemoSerializable;
import org.apache.pekko.stream.SourceRef;

/**
 * A store's answer to one read, in one of three shapes: whole in the reply ({@code frame}, at
 * most one frame, when that is all there is: most selects of a few series, most label queries),
 * as a stream of frames ({@code stream}, for anything larger), or an {@code error}. Inline answers
 * spare a small query the stream's set-up (a stream ref handshake, one more round trip across
 * nodes, and a stream materialized at each end) per store it asks.
 *
 * @param frame  the whole answer as one frame, or null when the answer is empty or streamed
 * @param items  the series or strings of an inline answer (0 for a stream: its end says)
 */
public record ReadAnswer(byte[] frame, long items, SourceRef<StreamElement> stream, ReadError error)
        implements MnemoSerializable {

    public static ReadAnswer inline(byte[] frame, long items) {
        return new ReadAnswer(frame, items, null, null);
    }

    public static ReadAnswer streamed(SourceRef<StreamElement> stream) {
        return new ReadAnswer(null, 0, stream, null);
    }

    public static ReadAnswer failed(ReadError error) {
        return new ReadAnswer(null, 0, null, error);
    }
}
