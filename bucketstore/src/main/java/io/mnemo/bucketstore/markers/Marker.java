package io.mnemo.bucketstore.markers;

import io.mnemo.tsdb.block.Ulid;

/** A mark on one block: a small JSON object in the block's directory and among its tenant's markers. */
public sealed interface Marker permits DeletionMark, NoCompactMark {
    /** The block marked. */
    Ulid id();

    /** Its file name in the block's directory. */
    String file();

    /** Its JSON, UTF-8. */
    byte[] encode();
}
