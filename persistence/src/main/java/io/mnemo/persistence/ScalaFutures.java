package io.mnemo.persistence;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import scala.concurrent.Future;
import scala.concurrent.Promise;

/** Bridges the plugins' {@link CompletableFuture}s to the Scala futures Pekko's plugin API returns. */
public final class ScalaFutures {

    private ScalaFutures() {
    }

    /** The Scala view of {@code f}, failing with the original cause rather than a CompletionException. */
    public static <T> Future<T> of(CompletableFuture<T> f) {
        Promise<T> promise = Promise.apply();
        f.whenComplete((value, error) -> {
            if (error == null) {
                promise.success(value);
            } else {
                promise.failure(unwrap(error));
            }
        });
        return promise.future();
    }

    /** Strips the wrappers CompletableFuture puts around exceptions thrown by its stages. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
