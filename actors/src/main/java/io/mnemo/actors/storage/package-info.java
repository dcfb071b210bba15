/**
 * An ingester's side of object storage: shipping its blocks once each ({@link io.mnemo.actors.storage.Shipper}
 * with its {@link io.mnemo.actors.storage.ShipperState} file) on the node's
 * {@link io.mnemo.actors.storage.BlocksStorage} threads. The layout of blocks in the bucket, their
 * {@code meta.json} and moving a block up and down whole are the {@code bucketstore} module's
 * ({@link io.mnemo.bucketstore.BucketLayout}, {@link io.mnemo.bucketstore.BucketBlockMeta},
 * {@link io.mnemo.bucketstore.BlockTransfer}).
 *
 * <p>Never depends on another package of {@code io.mnemo.actors}.
 */
package io.mnemo.actors.storage;
