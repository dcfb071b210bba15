package io.mnemo.actors.storegateway;

import io.mnemo.actors.readpath.ReadError;
import io.mnemo.actors.readpath.StreamElement;
import io.mnemo.persistence.MnemoSerializable;
import org.apache.pekko.stream.SourceRef;

/**
 * A store-gateway's answer to a read: a stream of frames, and the blocks it is for, so that the
 * querier asks another gateway for those it asked for that are not among them; or {@code error}
 * (and no stream) when the gateway cannot read.
 *
 * @param gateway who answers, for messages ("store-gateway pekko://mnemo@10.0.0.2:25520")
 * @param blocks  ULIDs of the blocks the stream answers for
 */
public record StoreGatewayReply(String gateway, String[] blocks, SourceRef<StreamElement> stream, ReadError error)
        implements MnemoSerializable {}
