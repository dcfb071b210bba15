package io.mnemo.bucketstore;

import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A query could not read a block in object storage (the bucket failed, or the block's bytes are
 * damaged): the query fails as a whole, naming the block, rather than answering without it.
 */
public final class BlockReadException extends UncheckedIOException {
    private final String tenant;
    private final Ulid block;

    public BlockReadException(String tenant, Ulid block, String where, Throwable cause) {
        super("reading block " + block + " of tenant " + tenant + " from " + where + ": " + cause.getMessage(),
                cause instanceof IOException io ? io : new IOException(cause.toString(), cause));
        this.tenant = tenant;
        this.block = block;
    }

    public String tenant() { return tenant; }

    public Ulid block() { return block; }
}
