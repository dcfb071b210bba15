package io.mnemo.actors.storegateway;

import io.mnemo.actors.readpath.ReadError;
import io.mnemo.actors.readpath.ReadAnswer;
import io.mnemo.persistence.MnemoSerializable;

/**
 * A store-gateway's answer to a read: the answer (whole, as a stream of frames, or its error:
 * {@link ReadAnswer}), and the blocks it is for, so that the querier asks another gateway for
 * those it asked for that are not among them.
 *
 * @param gateway who answers, for messages ("store-gateway pekko://mnemo@10.0.0.2:25520")
 * @param blocks  ULIDs of the blocks the stream answers for
 */
public record StoreGatewayReply(String gateway, String[] blocks, ReadAnswer answer) implements MnemoSerializable {

    /** The gateway cannot read: no blocks, the error. */
    public static StoreGatewayReply failed(String gateway, ReadError error) {
        return new StoreGatewayReply(gateway, new String[0], ReadAnswer.failed(error));
    }
}
