package io.mnemo.actors.ingester;

import io.mnemo.persistence.MnemoSerializable;

/**
 * The write-behind log's only event: the out-of-order samples one Kafka record brought that a
 * tenant's head accepted, as a remote-write {@code WriteRequest} (labels and samples only), with
 * the record's offset and the newest of those samples (once the tenant's blocks reach past it,
 * the event may be deleted).
 */
public record OutOfOrderLogged(long offset, String tenant, long maxTime, byte[] samples) implements MnemoSerializable {}
