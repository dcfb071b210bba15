package io.mnemo.actors.distributor;

import java.nio.charset.StandardCharsets;

/**
 * One metric family's metadata in a push, as byte ranges of the request buffer: a remote write 1.0
 * {@code MetricMetadata} ({@link MetadataReader}) or a 2.0 series' {@code metadata}, whose family is
 * the series' metric name. What {@link MetadataValidator} checks and {@link PartitionSplitter}
 * writes into the ingest records.
 */
public interface MetadataEntry {
    byte[] buffer();

    /** The type as remote write's enum number (0 unknown, 1 counter, 2 gauge, ...). */
    int typeNumber();

    int familyOffset();

    int familyLength();

    int helpOffset();

    int helpLength();

    int unitOffset();

    int unitLength();

    /** The family name (allocates). */
    default String family() {
        return new String(buffer(), familyOffset(), familyLength(), StandardCharsets.UTF_8);
    }
}
