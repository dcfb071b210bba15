package io.mnemo.actors.ingester;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.ingester.IngesterCommand.LabelQuery;
import io.mnemo.actors.ingester.IngesterCommand.LabelsReply;
import io.mnemo.actors.ingester.IngesterCommand.MetadataQuery;
import io.mnemo.actors.ingester.IngesterCommand.MetadataReply;
import io.mnemo.actors.ingester.IngesterCommand.Select;
import io.mnemo.actors.ingester.IngesterCommand.SelectLabels;
import io.mnemo.actors.ingester.IngesterCommand.SelectReply;
import io.mnemo.actors.ingester.IngesterCommand.StringsReply;
import io.mnemo.cluster.IngesterId;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.SeriesSetCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Answers an ingester's reads from its partition's heads and blocks: selects (as chunk-encoded
 * series sets), label sets, label names and values, and metadata. A failure while reading is
 * answered as an {@link IngesterError} of its kind; nothing escapes to the entity.
 */
final class IngesterReads {
    private final IngesterId id;
    private final Logger log;

    IngesterReads(IngesterId id, Logger log) {
        this.id = id;
        this.log = log;
    }

    SelectReply select(PartitionTsdb tsdb, Select c) {
        return read(tsdb, c.tenant(), c.mint(), c.maxt(),
                q -> new SelectReply(id, SeriesSetCodec.encode(q.select(true, MatcherSpec.toMatchers(c.matchers()))), null),
                error -> new SelectReply(id, null, error));
    }

    LabelsReply selectLabels(PartitionTsdb tsdb, SelectLabels c) {
        return read(tsdb, c.tenant(), c.mint(), c.maxt(), q -> {
            SeriesSet set = q.select(true, MatcherSpec.toMatchers(c.matchers()));
            List<String[]> out = new ArrayList<>();
            while (set.next()) {
                Labels l = set.at().labels();
                String[] kv = new String[l.size() * 2];
                for (int i = 0; i < l.size(); i++) {
                    kv[2 * i] = l.name(i);
                    kv[2 * i + 1] = l.value(i);
                }
                out.add(kv);
            }
            return new LabelsReply(id, out.toArray(new String[0][]), null);
        }, error -> new LabelsReply(id, null, error));
    }

    StringsReply labels(PartitionTsdb tsdb, LabelQuery c) {
        return read(tsdb, c.tenant(), c.mint(), c.maxt(), q -> {
            List<String> values = c.name() == null
                    ? q.labelNames(MatcherSpec.toMatchers(c.matchers()))
                    : q.labelValues(c.name(), MatcherSpec.toMatchers(c.matchers()));
            return new StringsReply(id, values.toArray(new String[0]), null);
        }, error -> new StringsReply(id, null, error));
    }

    MetadataReply metadata(PartitionTsdb tsdb, MetadataQuery c) {
        return new MetadataReply(id, tsdb.metadata(c.tenant(), c.metric()).toArray(new String[0][]), null);
    }

    private <R> R read(PartitionTsdb tsdb, String tenant, long mint, long maxt, Function<Querier, R> read,
                       Function<IngesterError, R> failed) {
        try (Querier q = tsdb.querier(tenant, mint, maxt)) {
            return read.apply(q);
        } catch (RuntimeException e) {
            IngesterError error = IngesterError.of(id, e);
            if (error.kind() == IngesterError.Kind.INTERNAL) log.error("Ingester {}: a read failed", id, e);
            return failed.apply(error);
        }
    }
}
