package io.mnemo.actors.ingester;

import io.mnemo.actors.ingester.IngesterCommand.*;
import io.mnemo.actors.readpath.ReadAnswer;
import io.mnemo.actors.readpath.ReadError;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.RingState;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Stands in for an ingester whose recovery failed less than {@link RecoveryFailures#RETRY_AFTER}
 * ago. Being alive, it keeps sharding from re-creating the entity (and re-reading a damaged
 * journal) on every message; it answers status with the failure and reads, flushes and
 * acknowledgements with an error naming it, and when the retry is due it becomes the ingester
 * again, which recovers anew.
 */
final class FailedIngester {
    private FailedIngester() {}

    static Behavior<IngesterCommand> create(IngesterId id, IngesterPartition.Deps deps, RecoveryFailures.Failure failure,
                                            Supplier<Behavior<IngesterCommand>> recover) {
        String reason = failure.reason();
        ReadError unavailable = ReadError.unavailable("ingester " + id, "failed to recover: " + reason);
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            long waitMillis = Math.max(0, failure.retryAtMillis() - System.currentTimeMillis());
            ctx.getLog().debug("Ingester {}: recovery failed {} time(s), next attempt in {} ms: {}", id,
                    failure.attempts(), waitMillis, reason);
            timers.startSingleTimer(new RetryRecovery(), Duration.ofMillis(waitMillis));
            return Behaviors.receive(IngesterCommand.class)
                    .onMessage(RetryRecovery.class, r -> recover.get())
                    .onMessage(GetStatus.class, c -> {
                        c.replyTo().tell(new IngesterStatus(id, RingState.PENDING, -1, -1, -1, 0, deps.nodeAddress(), reason));
                        return Behaviors.same();
                    })
                    .onMessage(Select.class, c -> {
                        c.replyTo().tell(new StreamReply(id, ReadAnswer.failed(unavailable)));
                        return Behaviors.same();
                    })
                    .onMessage(LabelQuery.class, c -> {
                        c.replyTo().tell(new StreamReply(id, ReadAnswer.failed(unavailable)));
                        return Behaviors.same();
                    })
                    .onMessage(IngesterCommand.ExemplarQuery.class, c -> {
                        c.replyTo().tell(new StreamReply(id, ReadAnswer.failed(unavailable)));
                        return Behaviors.same();
                    })
                    .onMessage(MetadataQuery.class, c -> {
                        c.replyTo().tell(new MetadataReply(id, null, unavailable));
                        return Behaviors.same();
                    })
                    .onMessage(Flush.class, c -> {
                        c.replyTo().tell(new FlushReply(id, 0, 0, reason));
                        return Behaviors.same();
                    })
                    .onMessage(AcceptDataLoss.class, c -> {
                        c.replyTo().tell(new AcceptDataLossReply(id, false, reason));
                        return Behaviors.same();
                    })
                    .onMessage(Leave.class, c -> {
                        // Handed off (or the node stops): this node no longer answers for the partition.
                        deps.failures().forget(id);
                        deps.metrics().journalCorrupted.labelValues(id.zone(), Integer.toString(id.partition())).set(0);
                        return Behaviors.stopped();
                    })
                    .onAnyMessage(m -> Behaviors.same()) // Wake, and what a stopped incarnation left behind
                    .build();
        }));
    }
}
