package io.mnemo.actors.warmup;

import io.mnemo.actors.distributor.Distributor;
import io.mnemo.actors.distributor.PushResult;
import io.mnemo.actors.ingest.ConsumedBatch;
import io.mnemo.actors.ingest.PartitionConsumer;
import io.mnemo.actors.ingester.BatchConsumed;
import io.mnemo.actors.ingester.PartitionReplay;
import io.mnemo.cluster.IngesterId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.kafka.javadsl.Consumer.Control;

/**
 * The second half of a node's warm-up (after {@link WritePathWarmUp}): synthetic pushes go through
 * the distributor's own workers and partition writer into the warm-up topic, and come back through
 * the consumer code ingesters use (one stream per partition on a shared consumer actor) into a
 * scratch head ({@link PartitionReplay}). The ingest topic, the journals and the tenants' heads
 * are never touched.
 *
 * <p>Why: on a fresh node, compiling the Kafka client and broker code and Pekko's actor and stream
 * code costs more CPU during the first minute of load than the ingest work does (JFR compilation
 * events of a fresh node under a 100k-series load: 5 s of Kafka code compiled after /ready).
 * Running that path first moves the cost before the node takes traffic, and proves that Kafka takes
 * writes and serves them back before the node says it is ready.
 */
public final class KafkaPathWarmUp {
    /** Pushes in flight at once, as a Prometheus server's remote-write shards send them. */
    private static final int CONCURRENCY = 4;

    /** What the warm-up did: samples acknowledged by Kafka, and those read back into the scratch head. */
    public record Result(long samplesWritten, long samplesReadBack, Duration took) {}

    private KafkaPathWarmUp() {}

    /**
     * Pushes for {@code budget}, then waits (at most {@code drainTimeout}) until every acknowledged
     * sample was read back. Blocking: run it on a thread of its own.
     *
     * @param consumer a consumer of the warm-up topic, closed when done
     * @param startOffsets each partition's end offset in the warm-up topic before the first push
     */
    public static Result run(ActorSystem<?> system, Distributor distributor, String topic, PartitionConsumer consumer,
                             long[] startOffsets, Duration budget, Duration drainTimeout) throws Exception {
        long start = System.nanoTime();
        // Nodes starting together share the topic: each reads back only its own records.
        String tenant = "mnemo-warm-up-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        AtomicLong readBack = new AtomicLong();
        PartitionReplay scratch = PartitionReplay.scratch(7_200_000L);
        ActorRef<Command> sink = system.systemActorOf(scratchIngester(scratch, tenant, readBack),
                "kafka-warm-up-" + Long.toHexString(start), Props.empty());
        AtomicReference<Throwable> streamFailure = new AtomicReference<>();
        List<Control> streams = new ArrayList<>();
        try {
            for (int p = 0; p < startOffsets.length; p++) {
                streams.add(consumer.start(new IngesterId("warm-up", p), startOffsets[p], sink, Consumed::new, system,
                        err -> { if (err != null) streamFailure.compareAndSet(null, err); }));
            }
            long written = push(distributor, topic, tenant, start + budget.toNanos());
            long drainDeadline = System.nanoTime() + drainTimeout.toNanos();
            while (readBack.get() < written && streamFailure.get() == null && System.nanoTime() < drainDeadline) {
                Thread.sleep(10); // polls a condition with a deadline, on the warm-up's own thread
            }
            if (streamFailure.get() != null) throw new IllegalStateException("reading back failed", streamFailure.get());
            if (readBack.get() < written) {
                throw new IllegalStateException(readBack.get() + " of " + written + " samples read back within " + drainTimeout);
            }
            return new Result(written, readBack.get(), Duration.ofNanos(System.nanoTime() - start));
        } finally {
            for (Control c : streams) c.shutdown();
            consumer.close();
            sink.tell(new Stop()); // the scratch head goes with it
        }
    }

    /** Pushes rounds of synthetic series until the deadline; returns the samples Kafka acknowledged. */
    private static long push(Distributor distributor, String topic, String tenant, long deadline) throws Exception {
        Semaphore inFlight = new Semaphore(CONCURRENCY);
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<String> refused = new AtomicReference<>();
        for (int round = 0; System.nanoTime() < deadline && refused.get() == null; round++) {
            for (int push = 0; push < WritePathWarmUp.PUSHES && System.nanoTime() < deadline; push++) {
                byte[] body = WritePathWarmUp.push(push, round);
                inFlight.acquire();
                distributor.rehearse(tenant, body, topic).whenComplete((PushResult r, Throwable err) -> {
                    if (err != null) refused.compareAndSet(null, err.toString());
                    else if (r.status() != 200) refused.compareAndSet(null, r.status() + " " + r.message());
                    else acknowledged.addAndGet(WritePathWarmUp.SERIES_PER_PUSH);
                    inFlight.release();
                });
            }
        }
        if (!inFlight.tryAcquire(CONCURRENCY, 30, TimeUnit.SECONDS)) throw new IllegalStateException("pushes did not finish");
        if (refused.get() != null) throw new IllegalStateException("a push was refused: " + refused.get());
        return acknowledged.get();
    }

    /** What the scratch ingester is sent. */
    private sealed interface Command {}

    private record Consumed(ConsumedBatch batch, ActorRef<Done> replyTo) implements Command {}

    private record Stop() implements Command {}

    /** Applies consumed batches to the scratch head, as an ingester would, and counts their samples. */
    private static Behavior<Command> scratchIngester(PartitionReplay scratch, String tenant, AtomicLong readBack) {
        return Behaviors.receive(Command.class)
                .onMessage(Consumed.class, c -> {
                    ConsumedBatch b = c.batch();
                    scratch.apply(new BatchConsumed(b.offsets(), b.tenants(), b.values()));
                    readBack.set(scratch.samplesOf(tenant));
                    c.replyTo().tell(Done.getInstance());
                    return Behaviors.same();
                })
                .onMessage(Stop.class, c -> Behaviors.stopped())
                .build();
    }
}
