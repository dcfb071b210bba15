package io.mnemo.actors.querier;

import io.mnemo.actors.readpath.ReadError;
import io.mnemo.actors.readpath.ReadStreams;
import io.mnemo.promql.EvaluationException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * What a failed attempt at a store's answer means for the query: another store is asked when this
 * one may not serve reads, did not answer in time or its stream broke off; the query ends when the
 * store refused the query itself (422), failed on its own (500), or the query stopped (a limit, a
 * cancellation).
 */
final class AttemptFailures {
    private AttemptFailures() {}

    /** Why another store should be asked, or null when the failure ends the query ({@link #ending}). */
    static String retryReason(Throwable cause, String who, Duration timeout) {
        if (cause instanceof ReadStreams.StoreFailedException failed) {
            return failed.error().kind() == ReadError.Kind.UNAVAILABLE ? failed.error().message() : null;
        }
        if (cause instanceof TimeoutException) return who + " did not answer within " + timeout;
        if (cause instanceof ReadStreams.IncompleteStreamException || cause.getClass().getName().startsWith("org.apache.pekko.")) {
            return cause.getMessage();
        }
        return null;
    }

    /** What the query fails with, for a failure no other store is asked after. */
    static RuntimeException ending(Throwable cause) {
        if (cause instanceof ReadStreams.StoreFailedException failed) {
            ReadError e = failed.error();
            return e.kind() == ReadError.Kind.BAD_QUERY ? new EvaluationException(e.message()) : new StoreFailureException(e.message());
        }
        return cause instanceof RuntimeException r ? r : new StoreFailureException(String.valueOf(cause));
    }
}
