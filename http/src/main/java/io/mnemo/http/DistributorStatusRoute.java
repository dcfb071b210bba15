package io.mnemo.http;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.ingest.ControllerQuorum;
import io.mnemo.actors.ingest.TopicReplication;
import io.mnemo.actors.ingest.TopicReplicationWatch;
import io.mnemo.actors.ingest.PartitionOffsets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /distributor/status}: what this node's distributor did and how Kafka looks from it —
 * the partitions it writes to (with their end offsets, leaders and in-sync replicas), whether
 * Kafka answers, acknowledges and can take writes, the controller quorum, pushes and samples
 * accepted, and what was refused, by reason. Figures come from the node's metrics, so they count
 * since the process started.
 */
final class DistributorStatusRoute extends AllDirectives {
    private static final long KAFKA_TIMEOUT_MS = 3000;

    private final MnemoSettings settings;
    private final MnemoMetrics metrics;
    private final PartitionOffsets offsets;
    private final TopicReplicationWatch replication;
    private final String node;

    DistributorStatusRoute(MnemoSettings settings, MnemoMetrics metrics, PartitionOffsets offsets,
                           TopicReplicationWatch replication, String node) {
        this.settings = settings;
        this.metrics = metrics;
        this.offsets = offsets;
        this.replication = replication;
        this.node = node;
    }

    Route route(boolean json) {
        return onSuccess(endOffsets(), ends -> complete(page(ends).render(json)));
    }

    /** Every partition's end offset, or the error that kept Kafka from telling. */
    private CompletionStage<Object> endOffsets() {
        List<CompletableFuture<Long>> all = new ArrayList<>();
        for (int p = 0; p < settings.partitions(); p++) all.add(offsets.endOffset(p).toCompletableFuture());
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
                .orTimeout(KAFKA_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .<Object>thenApply(v -> all.stream().map(CompletableFuture::join).toList())
                .exceptionally(e -> (e.getCause() != null ? e.getCause() : e).toString());
    }

    private StatusPage page(Object ends) {
        StatusPage page = new StatusPage("Mnemo distributor")
                .field("node", node)
                .field("distributorRole", settings.hasRole("distributor"))
                .field("topic", settings.topic())
                .field("partitionCount", settings.partitions())
                .field("pushes", sum(metrics.receivedRequests.collect()))
                .field("acceptedSamples", sum(metrics.receivedSamples.collect()))
                .field("acceptedSeries", sum(metrics.receivedSeries.collect()));

        List<HistogramSnapshot.HistogramDataPointSnapshot> acks = metrics.kafkaProduceSeconds.collect().getDataPoints();
        long acked = acks.isEmpty() ? 0 : acks.get(0).getCount();
        page.section("kafkaProducer")
                .field("reachable", ends instanceof List)
                .field("error", ends instanceof String s ? s : null)
                .field("acknowledgedPushes", acked)
                .field("failedPushes", value(metrics.rejectedRequests.collect(), "reason", "kafka_unavailable"))
                .field("meanAckSeconds", acked == 0 ? null : acks.get(0).getSum() / acked)
                .field("producedBytes", sum(metrics.kafkaProducedBytes.collect()))
                .field("produceTimeout", settings.produceTimeout().toString());

        TopicReplication described = replication.replication().orElse(null);
        Optional<String> writeProblem = replication.writeProblem();
        page.section("kafkaReplication")
                .field("writable", writeProblem.isEmpty())
                .field("writeProblem", writeProblem.orElse(null))
                .field("clusterId", described == null ? null : described.clusterId())
                .field("liveBrokers", described == null ? null : described.liveBrokers())
                .field("minInsyncReplicas", described == null ? null : described.minInsyncReplicas())
                .field("underReplicatedPartitions", described == null ? null : described.underReplicatedPartitions())
                .field("underMinIsrPartitions", described == null ? null : described.underMinIsrPartitions())
                .field("offlinePartitions", described == null ? null : described.offlinePartitions())
                .field("describedAt", described == null ? null : described.describedAt().toString())
                .field("error", replication.error().orElse(null));

        StatusPage.Table partitions = page.table("partitions", "partition", "endOffset", "leader", "replicas",
                "inSyncReplicas", "underReplicated");
        for (int p = 0; p < settings.partitions(); p++) {
            TopicReplication.Partition r = described == null || p >= described.partitions().size() ? null
                    : described.partitions().get(p);
            partitions.row(p, ends instanceof List<?> l ? l.get(p) : null,
                    r == null || !r.hasLeader() ? null : r.leader(),
                    r == null ? null : r.replicas(), r == null ? null : r.inSyncReplicas(),
                    r == null ? null : r.underReplicated());
        }
        StatusPage.Table voters = page.table("controllerQuorum", "voter", "leader", "logEndOffset", "lastFetchMsAgo");
        replication.controllerQuorum().ifPresent(q -> {
            for (ControllerQuorum.Voter v : q.voters()) voters.row(v.id(), v.id() == q.leader(), v.logEndOffset(), v.lastFetchMsAgo());
        });
        StatusPage.Table rejected = page.table("rejectedRequests", "reason", "requests");
        byLabel(metrics.rejectedRequests.collect(), "reason").forEach((reason, n) -> rejected.row(reason, n));
        StatusPage.Table discarded = page.table("discardedSamples", "reason", "samples");
        byLabel(metrics.discardedSamples.collect(), "reason").forEach((reason, n) -> discarded.row(reason, n));
        StatusPage.Table discardedMetadata = page.table("discardedMetadata", "reason", "entries");
        byLabel(metrics.discardedMetadata.collect(), "reason").forEach((reason, n) -> discardedMetadata.row(reason, n));

        Map<String, Long> pushes = byLabel(metrics.receivedRequests.collect(), "tenant");
        Map<String, Long> samples = byLabel(metrics.receivedSamples.collect(), "tenant");
        StatusPage.Table tenants = page.table("tenants", "tenant", "pushes", "acceptedSamples");
        pushes.forEach((tenant, n) -> tenants.row(tenant, n, samples.getOrDefault(tenant, 0L)));
        return page;
    }

    private static long sum(CounterSnapshot s) {
        double total = 0;
        for (CounterSnapshot.CounterDataPointSnapshot d : s.getDataPoints()) total += d.getValue();
        return (long) total;
    }

    private static long value(CounterSnapshot s, String label, String value) {
        return byLabel(s, label).getOrDefault(value, 0L);
    }

    /** A counter's values summed by one label, sorted by that label's value. */
    private static Map<String, Long> byLabel(CounterSnapshot s, String label) {
        Map<String, Long> out = new TreeMap<>();
        for (CounterSnapshot.CounterDataPointSnapshot d : s.getDataPoints()) {
            out.merge(d.getLabels().get(label), (long) d.getValue(), Long::sum);
        }
        return out;
    }
}
