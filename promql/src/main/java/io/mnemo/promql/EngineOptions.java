package io.mnemo.promql;

import io.mnemo.promql.parser.ParserOptions;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the PromQL engine.
 *
 * @param lookbackDeltaMillis how far back an instant vector selector looks for the newest sample
 *                            (Prometheus's {@code --query.lookback-delta}, default 5m)
 * @param timeout             longest a query may run ({@code --query.timeout}, default 2m)
 * @param maxSamples          most points a query may hold at once ({@code --query.max-samples}, default 50M)
 * @param parserOptions       experimental PromQL features to accept
 */
public record EngineOptions(long lookbackDeltaMillis, Duration timeout, long maxSamples, ParserOptions parserOptions) {
    public static final EngineOptions DEFAULT =
            new EngineOptions(5 * 60_000L, Duration.ofMinutes(2), 50_000_000L, ParserOptions.DEFAULT);

    public EngineOptions {
        if (lookbackDeltaMillis <= 0) throw new IllegalArgumentException("lookback delta must be positive");
        Objects.requireNonNull(timeout);
        if (maxSamples <= 0) throw new IllegalArgumentException("max samples must be positive");
        Objects.requireNonNull(parserOptions);
    }

    public EngineOptions withLookbackDelta(long millis) {
        return new EngineOptions(millis, timeout, maxSamples, parserOptions);
    }

    public EngineOptions withTimeout(Duration t) {
        return new EngineOptions(lookbackDeltaMillis, t, maxSamples, parserOptions);
    }

    public EngineOptions withMaxSamples(long n) {
        return new EngineOptions(lookbackDeltaMillis, timeout, n, parserOptions);
    }

    public EngineOptions withParserOptions(ParserOptions p) {
        return new EngineOptions(lookbackDeltaMillis, timeout, maxSamples, p);
    }
}
