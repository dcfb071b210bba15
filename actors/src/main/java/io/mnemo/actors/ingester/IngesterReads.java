package io.mnemo.actors.ingester;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.ingester.IngesterCommand.ExemplarQuery;
import io.mnemo.actors.ingester.IngesterCommand.LabelQuery;
import io.mnemo.actors.ingester.IngesterCommand.MetadataQuery;
import io.mnemo.actors.ingester.IngesterCommand.MetadataReply;
import io.mnemo.actors.ingester.IngesterCommand.Select;
import io.mnemo.actors.ingester.IngesterCommand.StreamReply;
import io.mnemo.actors.readpath.ExemplarFrames;
import io.mnemo.actors.readpath.FrameSource;
import io.mnemo.actors.readpath.ReadStreams;
import io.mnemo.actors.readpath.StringFrames;
import io.mnemo.cluster.IngesterId;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.exemplar.SeriesExemplars;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.Materializer;

/**
 * Answers an ingester's reads from its partition's heads and blocks, as streams of frames
 * ({@link ReadStreams}): selects as series-set frames (chunks as they are), label sets as frames
 * of chunk-less series, label names and values as strings frames, exemplars as exemplar frames;
 * metadata in one reply.
 */
final class IngesterReads {
    private final IngesterId id;
    private final String who;
    private final Materializer materializer;
    private final GaugeDataPoint openStreams;
    private final CounterDataPoint cancelledStreams;

    IngesterReads(IngesterId id, MnemoMetrics metrics, Materializer materializer) {
        this.id = id;
        this.who = "ingester " + id;
        this.materializer = materializer;
        this.openStreams = metrics.ingesterReadStreams.labelValues(id.zone(), Integer.toString(id.partition()));
        this.cancelledStreams = metrics.ingesterReadStreamsCancelled.labelValues(id.zone(), Integer.toString(id.partition()));
    }

    /**
     * The tenant's querier is found here, on the entity's thread; it reads nothing until the
     * stream runs on the read dispatcher, where the select and the frames happen.
     */
    void select(PartitionTsdb tsdb, Select c) {
        Querier q = tsdb.querier(c.tenant(), c.mint(), c.maxt());
        answer(c.replyTo(), () -> {
            SeriesSet set;
            try {
                set = q.select(true, MatcherSpec.toMatchers(c.matchers()));
            } catch (RuntimeException e) {
                q.close();
                throw e;
            }
            return FrameSource.ofSeries(c.labelsOnly() ? ReadStreams.labelsOnly(set, c.mint(), c.maxt()) : set, q);
        });
    }

    void labels(PartitionTsdb tsdb, LabelQuery c) {
        Querier q = tsdb.querier(c.tenant(), c.mint(), c.maxt());
        answer(c.replyTo(), () -> {
            try (q) {
                List<String> values = c.name() == null
                        ? q.labelNames(MatcherSpec.toMatchers(c.matchers()))
                        : q.labelValues(c.name(), MatcherSpec.toMatchers(c.matchers()));
                return new StringFrames(values, ReadStreams.MAX_FRAME_BYTES);
            }
        });
    }

    /** The tenant's store is found here, on the entity's thread; its select runs on the read dispatcher. */
    void exemplars(PartitionTsdb tsdb, ExemplarQuery c) {
        List<LabelMatcher[]> sets = new ArrayList<>(c.matcherSets().length);
        for (MatcherSpec[] set : c.matcherSets()) sets.add(MatcherSpec.toMatchers(set));
        Supplier<List<SeriesExemplars>> select = tsdb.exemplars(c.tenant(), c.start(), c.end(), sets);
        answer(c.replyTo(), () -> new ExemplarFrames(select.get(), ReadStreams.MAX_FRAME_BYTES));
    }

    MetadataReply metadata(PartitionTsdb tsdb, MetadataQuery c) {
        return new MetadataReply(id, tsdb.metadata(c.tenant(), c.metric()).toArray(new String[0][]), null);
    }

    /** Answers with the frames {@code open} gives, read on the read dispatcher, which also sends the reply. */
    private void answer(ActorRef<StreamReply> replyTo, Supplier<FrameSource> open) {
        ReadStreams.answer(who, open, openStreams, cancelledStreams, materializer)
                .thenAccept(a -> replyTo.tell(new StreamReply(id, a)));
    }
}
