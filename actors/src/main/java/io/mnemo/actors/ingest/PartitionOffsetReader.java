package io.mnemo.actors.ingest;

import java.util.concurrent.CompletionStage;

/**
 * Where a partition starts and ends: Kafka's answer in a node ({@link PartitionOffsets}), set
 * values in a unit test.
 */
public interface PartitionOffsetReader {
    /** The offset the next record written to the partition will get. */
    CompletionStage<Long> endOffset(int partition);

    /** The oldest offset the partition still holds (below it, retention deleted the records). */
    CompletionStage<Long> earliestOffset(int partition);
}
