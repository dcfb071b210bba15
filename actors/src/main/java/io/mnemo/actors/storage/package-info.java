/**
 * Blocks in object storage: how they are laid out in the bucket ({@link io.mnemo.actors.storage.BucketLayout}:
 * {@code <tenant>/<block ULID>/{chunks/..., index, meta.json}}, Mimir's), what their
 * {@code meta.json} says there ({@link io.mnemo.actors.storage.BucketBlockMeta}: Prometheus's meta,
 * Thanos's section, Mnemo's section with the {@link io.mnemo.actors.storage.BlockOrigin}), moving a
 * block up and down whole ({@link io.mnemo.actors.storage.BlockTransfer}, meta.json last), and
 * shipping an ingester's blocks once each ({@link io.mnemo.actors.storage.Shipper} with its
 * {@link io.mnemo.actors.storage.ShipperState} file) on the node's
 * {@link io.mnemo.actors.storage.BlocksStorage} threads.
 *
 * <p>Depends on the {@code tsdb} and {@code objstore} modules only, never on another package of
 * {@code io.mnemo.actors} (the ingester uses it; a store-gateway will read the same layout).
 */
package io.mnemo.actors.storage;
