package io.mnemo.actors.readpath;

import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;

/**
 * Answers travel from stores to queriers as streams of bounded frames: Pekko stream refs over
 * Artery, with backpressure, instead of one actor message (whose size Artery bounds, 256 KiB by
 * default, and which a store builds whole in memory). Why stream refs and not an HTTP/2 endpoint:
 * they ride the cluster's existing connections, addressing and serialization, need no second
 * listener or client, and their demand protocol is the backpressure; the cost is that a stream
 * fails as a whole when its origin node dies, which is what a querier wants anyway (it asks
 * another zone from the start).
 *
 * <p>The store side ({@link #answer}) produces frames on the read dispatchers, never on the store
 * actor's thread, one frame per demand, and sends an answer of one frame whole instead of
 * streaming it ({@link ReadAnswer}); the querier side ({@link #collect}) runs a stream to its
 * {@link StreamElement.End} and treats anything else as incomplete.
 */
public final class ReadStreams {
    /**
     * Frame budget: with a frame's framing and the rare chunk past the budget, elements stay under
     * Artery's default maximum frame size (256 KiB).
     */
    public static final int MAX_FRAME_BYTES = 128 * 1024;
    /** The dispatcher (a bounded pool, see application.conf) reads are opened on: the select and the first frames. */
    public static final String READ_DISPATCHER = "mnemo.read-dispatcher";
    /**
     * The dispatcher (a small bounded pool) the rest of a streamed answer is produced on, and
     * the querier takes a streamed answer's frames on: large answers never hold the threads that
     * small reads open on, nor the default dispatcher's, and keep at most this pool's threads
     * runnable, so small queries and ingestion wait less for a core.
     */
    public static final String STREAM_DISPATCHER = "mnemo.read-stream-dispatcher";

    private ReadStreams() {}

    /**
     * Answers a read: on a read thread, opens the frame source and reads its first frames; an
     * answer of at most one frame is sent whole ({@link ReadAnswer#inline}), a longer one as a
     * stream that starts with the frames read so far and produces the rest as they are demanded,
     * then {@link StreamElement.End}. A failure while opening or before the stream is sent is
     * {@link ReadAnswer#failed} of its kind, one while streaming is sent as
     * {@link StreamElement.Failure} ({@code who} names the store in both). A stream's source is
     * counted in {@code openStreams} from opening to closing, whichever way the stream ends.
     * The result completes on the read thread; nothing runs on the caller's.
     */
    public static CompletionStage<ReadAnswer> answer(String who, Supplier<FrameSource> open, GaugeDataPoint openStreams,
                                                     CounterDataPoint cancelled, Materializer mat) {
        Executor readThreads = mat.system().dispatchers().lookup(READ_DISPATCHER);
        return CompletableFuture.supplyAsync(() -> {
            FrameSource frames = null;
            try {
                frames = open.get();
                byte[] first = frames.next();
                byte[] second = first == null ? null : frames.next();
                if (second == null) {
                    long items = frames.items();
                    frames.close();
                    return ReadAnswer.inline(first, items);
                }
                Answer rest = new Answer(frames, openStreams, cancelled);
                frames = null; // the stream closes it from here on
                Source<StreamElement, ?> source = Source.<StreamElement>from(List.of(new StreamElement.Frame(first),
                                new StreamElement.Frame(second)))
                        .concat(Source.<StreamElement, Answer>unfoldResource(() -> rest, Answer::next, Answer::close)
                                // On the stage itself: unfoldResource names the blocking-IO dispatcher otherwise.
                                .withAttributes(ActorAttributes.dispatcher(STREAM_DISPATCHER)))
                        .recover(new PFBuilder<Throwable, StreamElement>().match(Throwable.class,
                                e -> new StreamElement.Failure(ReadError.of(who, unwrap(e)))).build());
                return ReadAnswer.streamed(source.runWith(StreamRefs.sourceRef(), mat));
            } catch (RuntimeException e) {
                if (frames != null) frames.close();
                return ReadAnswer.failed(ReadError.of(who, unwrap(e)));
            }
        }, readThreads);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** The open rest of a streamed answer: its frames, then its end once. */
    private static final class Answer {
        private final FrameSource frames;
        private final GaugeDataPoint openStreams;
        private final CounterDataPoint cancelled;
        private boolean ended;
        private boolean failed;

        Answer(FrameSource frames, GaugeDataPoint openStreams, CounterDataPoint cancelled) {
            this.frames = frames;
            this.openStreams = openStreams;
            this.cancelled = cancelled;
            openStreams.inc();
        }

        Optional<StreamElement> next() {
            if (ended) return Optional.empty();
            byte[] frame;
            try {
                frame = frames.next();
            } catch (RuntimeException e) {
                failed = true;
                throw e;
            }
            if (frame != null) return Optional.of(new StreamElement.Frame(frame));
            ended = true;
            return Optional.of(new StreamElement.End(frames.items()));
        }

        /** On completion, failure and cancellation alike; only a cancellation closes before the end. */
        void close() {
            if (!ended && !failed) cancelled.inc(); // first: once the stream shows closed, it is counted
            try {
                frames.close();
            } finally {
                openStreams.dec();
            }
        }
    }

    /** A store sent {@link StreamElement.Failure}: its error, of its kind. */
    public static final class StoreFailedException extends RuntimeException {
        private final ReadError error;

        public StoreFailedException(ReadError error) {
            super(error.message());
            this.error = error;
        }

        public ReadError error() { return error; }
    }

    /** A stream ended without its {@link StreamElement.End}: its node died, the connection broke, it stalled. */
    public static final class IncompleteStreamException extends RuntimeException {
        public IncompleteStreamException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Takes an answer in: an inline one at once (its frame to {@code onFrame} on the caller's
     * thread), a streamed one by running its stream to the end, handing each frame to
     * {@code onFrame} on the stream's thread. {@code onFrame} may throw (e.g. over a query limit):
     * the stream is cancelled and the result fails with that. The result completes with the item
     * count; it fails with {@link StoreFailedException} when the store answered or ended with a
     * failure, and with {@link IncompleteStreamException} when the stream failed, stalled for
     * {@code idleTimeout} or ended without its end. {@code onStart} gets the kill switch that
     * cancels a stream (and, through the stream ref, the store's side) when the query is cancelled
     * or times out.
     */
    public static CompletionStage<Long> collect(String who, ReadAnswer answer, Duration idleTimeout,
                                                Consumer<byte[]> onFrame, Consumer<UniqueKillSwitch> onStart,
                                                Materializer mat) {
        if (answer.error() != null) return CompletableFuture.failedFuture(new StoreFailedException(answer.error()));
        if (answer.stream() == null) {
            try {
                if (answer.frame() != null) onFrame.accept(answer.frame());
                return CompletableFuture.completedFuture(answer.items());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        AtomicLong end = new AtomicLong(-1);
        Pair<UniqueKillSwitch, CompletionStage<Done>> run = answer.stream().getSource()
                .idleTimeout(idleTimeout)
                .viaMat(KillSwitches.single(), Keep.right())
                .toMat(Sink.foreach(e -> {
                    if (e instanceof StreamElement.Frame f) {
                        onFrame.accept(f.payload());
                    } else if (e instanceof StreamElement.End done) {
                        end.set(done.items());
                    } else if (e instanceof StreamElement.Failure failure) {
                        throw new StoreFailedException(failure.error());
                    }
                }), Keep.both())
                .withAttributes(ActorAttributes.dispatcher(STREAM_DISPATCHER))
                .run(mat);
        onStart.accept(run.first());
        return run.second().handle((done, err) -> {
            Throwable cause = err == null ? null : unwrap(err);
            if (cause instanceof StoreFailedException || (cause instanceof RuntimeException && !isTransport(cause))) {
                throw (RuntimeException) cause;
            }
            if (cause != null) throw new IncompleteStreamException(who + ": the answer's stream broke off: " + cause, cause);
            if (end.get() < 0) throw new IncompleteStreamException(who + ": the answer's stream ended without its end", null);
            return end.get();
        });
    }

    /** The series of a set with their labels only (no chunks), for answers of label sets. */
    public static SeriesSet labelsOnly(SeriesSet set, long mint, long maxt) {
        return new SeriesSet() {
            public boolean next() { return set.next(); }

            public Series at() { return new ChunkSeries(set.at().labels(), new ChunkMeta[0], mint, maxt); }
        };
    }

    /** Failures of the stream itself, as opposed to one thrown by {@code onFrame}. */
    private static boolean isTransport(Throwable t) {
        String pkg = t.getClass().getName();
        return pkg.startsWith("org.apache.pekko.") || t instanceof java.util.concurrent.TimeoutException;
    }
}
