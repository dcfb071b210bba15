package io.mnemo.actors.ingester;

import io.mnemo.persistence.MnemoSerializable;

/**
 * The write-behind log's only event: the out-of-order samples one Kafka record brought that a
 * tenant's head accepted, as an ingest record of format version 1 (labels, float samples and native
 * histograms only; see
 * {@link io.mnemo.actors.ingest.RecordVersion}), with the record's offset and the newest of those
 * samples (once the tenant's blocks reach past it, the event may be deleted). Stored with its
 * class name (Kryo): never move or rename this class, nor change its fields.
 */
public record OutOfOrderLogged(long offset, String tenant, long maxTime, byte[] samples) implements MnemoSerializable {}
