package io.mnemo.actors.ingester;

import io.mnemo.actors.distributor.RemoteWriteException;
import io.mnemo.actors.distributor.WriteRequestReader;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.head.Head;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ingester's heads, one per tenant, and the decoding of Kafka record values (remote-write
 * {@code WriteRequest}s) into them.
 */
final class TenantHeads {
    private static final Logger log = LoggerFactory.getLogger(TenantHeads.class);

    /** What applying a batch did, in samples (invalid: records that could not be decoded). */
    record ApplyResult(long appended, long outOfOrder, long duplicate, long invalid) {}

    private final Map<String, Head> heads = new HashMap<>();
    private final long chunkRange;
    private final WriteRequestReader reader = new WriteRequestReader();

    TenantHeads(long chunkRange) {
        this.chunkRange = chunkRange;
    }

    ApplyResult apply(BatchConsumed batch) {
        long appended = 0, outOfOrder = 0, duplicate = 0, invalid = 0;
        for (int r = 0; r < batch.values().length; r++) {
            Head head = heads.computeIfAbsent(batch.tenants()[r], t -> new Head(chunkRange));
            long ooo0 = head.outOfOrder(), dup0 = head.duplicates(), app0 = head.appended();
            try {
                reader.reset(batch.values()[r]);
                while (reader.nextSeries()) {
                    int n = reader.sampleCount();
                    if (n == 0) continue;
                    int ref = head.getOrCreateSeries(reader.labels());
                    for (int i = 0; i < n; i++) head.append(ref, reader.sampleTimestamp(i), reader.sampleValue(i));
                }
            } catch (RemoteWriteException e) {
                // The distributor validated the record, so this is damage, not user error. Applying
                // stops at the damage; what came before it stays (it is in the journal too).
                invalid++;
                log.error("Undecodable record at offset {}: {}", batch.offsets()[r], e.getMessage());
            }
            appended += head.appended() - app0;
            outOfOrder += head.outOfOrder() - ooo0;
            duplicate += head.duplicates() - dup0;
        }
        return new ApplyResult(appended, outOfOrder, duplicate, invalid);
    }

    Querier querier(String tenant, long mint, long maxt) {
        Head head = heads.get(tenant);
        return head == null ? EMPTY : head.querier(mint, maxt);
    }

    long numSeries() {
        long n = 0;
        for (Head h : heads.values()) n += h.numSeries();
        return n;
    }

    private static final Querier EMPTY = new Querier() {
        public SeriesSet select(boolean sorted, io.mnemo.tsdb.LabelMatcher... matchers) { return SeriesSet.EMPTY; }
        public List<String> labelNames(io.mnemo.tsdb.LabelMatcher... matchers) { return List.of(); }
        public List<String> labelValues(String name, io.mnemo.tsdb.LabelMatcher... matchers) { return List.of(); }
    };
}
