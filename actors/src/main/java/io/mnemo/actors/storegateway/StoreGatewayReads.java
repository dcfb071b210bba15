package io.mnemo.actors.storegateway;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.readpath.FrameSource;
import io.mnemo.actors.readpath.ReadError;
import io.mnemo.actors.readpath.ReadStreams;
import io.mnemo.actors.readpath.StringFrames;
import io.mnemo.actors.storegateway.StoreGatewayCommand.LabelQuery;
import io.mnemo.actors.storegateway.StoreGatewayCommand.Select;
import io.mnemo.bucketstore.BlockQuery;
import io.mnemo.bucketstore.BucketStore;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.Ulid;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.stream.Materializer;

/**
 * Answers a store-gateway's reads from its {@link BucketStore}, as the ingesters answer theirs
 * ({@link ReadStreams}): selects as series-set frames, label sets as frames of chunk-less series,
 * label names and values as strings frames. Every call runs on the read dispatcher, never on the
 * gateway actor's thread: finding the blocks pins them (until the stream closes), the frames read
 * index and chunks from the bucket.
 */
final class StoreGatewayReads {
    private final BucketStore store;
    private final String who;
    private final Materializer materializer;
    private final GaugeDataPoint openStreams;
    private final CounterDataPoint cancelledStreams;
    private volatile boolean stopping;

    StoreGatewayReads(BucketStore store, String who, GaugeDataPoint openStreams, CounterDataPoint cancelledStreams,
                      Materializer materializer) {
        this.store = store;
        this.who = who;
        this.materializer = materializer;
        this.openStreams = openStreams;
        this.cancelledStreams = cancelledStreams;
    }

    /** From now on, reads are refused as unavailable (the querier asks another replica). */
    void stop() {
        stopping = true;
    }

    CompletionStage<StoreGatewayReply> select(Select c) {
        return answer(c.tenant(), c.mint(), c.maxt(), c.blocks(), q -> {
            SeriesSet set = q.select(true, MatcherSpec.toMatchers(c.matchers()));
            return FrameSource.ofSeries(c.labelsOnly() ? ReadStreams.labelsOnly(set, c.mint(), c.maxt()) : set, q);
        });
    }

    CompletionStage<StoreGatewayReply> labels(LabelQuery c) {
        return answer(c.tenant(), c.mint(), c.maxt(), c.blocks(), q -> {
            try (q) {
                List<String> values = c.name() == null
                        ? q.labelNames(MatcherSpec.toMatchers(c.matchers()))
                        : q.labelValues(c.name(), MatcherSpec.toMatchers(c.matchers()));
                return new StringFrames(values, ReadStreams.MAX_FRAME_BYTES);
            }
        });
    }

    /**
     * Finds the blocks of those asked for that this gateway has loaded, and streams the frames
     * {@code frames} makes from them (it owns the query from then on: closes it when done or on
     * failure). The reply names the blocks.
     */
    private CompletionStage<StoreGatewayReply> answer(String tenant, long mint, long maxt, String[] blocks,
                                                      Function<BlockQuery, FrameSource> frames) {
        if (stopping) return done(StoreGatewayReply.failed(who, ReadError.unavailable(who, "is stopping")));
        BlockQuery q;
        try {
            q = store.query(tenant, mint, maxt, ulids(blocks));
        } catch (RuntimeException e) {
            // Closed under the read: the gateway is stopping, another replica answers.
            return done(StoreGatewayReply.failed(who, stopping ? ReadError.unavailable(who, "is stopping")
                    : ReadError.of(who, e)));
        }
        String[] answered = q.blocks().stream().map(Ulid::toString).toArray(String[]::new);
        try {
            return ReadStreams.answer(who, () -> {
                try {
                    return frames.apply(q);
                } catch (RuntimeException e) {
                    q.close();
                    throw e;
                }
            }, openStreams, cancelledStreams, materializer).thenApply(a -> a.error() != null
                    ? StoreGatewayReply.failed(who, a.error()) : new StoreGatewayReply(who, answered, a));
        } catch (RuntimeException e) {
            q.close();
            return done(StoreGatewayReply.failed(who, ReadError.of(who, e)));
        }
    }

    private static CompletionStage<StoreGatewayReply> done(StoreGatewayReply reply) {
        return CompletableFuture.completedFuture(reply);
    }

    private static Set<Ulid> ulids(String[] blocks) {
        Set<Ulid> out = new HashSet<>(blocks.length * 2);
        for (String b : blocks) {
            if (!Ulid.isValid(b)) throw new IllegalArgumentException("not a block id: " + b);
            out.add(Ulid.parse(b));
        }
        return out;
    }
}
