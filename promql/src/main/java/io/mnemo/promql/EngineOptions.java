package io.mnemo.promql;

import io.mnemo.promql.parser.ParserOptions;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the PromQL engine.
 *
 * @param lookbackDeltaMillis       how far back an instant vector selector looks for the newest sample
 *                                  (Prometheus's {@code --query.lookback-delta}, default 5m)
 * @param timeout                   longest a query may run ({@code --query.timeout}, default 2m)
 * @param maxSamples                most samples a query may hold in memory at once
 *                                  ({@code --query.max-samples}, default 50M)
 * @param parserOptions             experimental PromQL features to accept
 * @param delayedNameRemoval        remove metric names at the end of evaluation instead of where an
 *                                  operation drops them (Prometheus's {@code promql-delayed-name-removal}
 *                                  feature flag, off by default; its PromQL test scripts run with it on)
 * @param defaultSubqueryStepMillis step of subqueries that name none (Prometheus: the global evaluation
 *                                  interval, default 1m)
 */
public record EngineOptions(long lookbackDeltaMillis, Duration timeout, long maxSamples, ParserOptions parserOptions,
                            boolean delayedNameRemoval, long defaultSubqueryStepMillis) {
    public static final EngineOptions DEFAULT =
            new EngineOptions(5 * 60_000L, Duration.ofMinutes(2), 50_000_000L, ParserOptions.DEFAULT, false, 60_000L);

    public EngineOptions {
        if (lookbackDeltaMillis <= 0) throw new IllegalArgumentException("lookback delta must be positive");
        Objects.requireNonNull(timeout);
        if (maxSamples <= 0) throw new IllegalArgumentException("max samples must be positive");
        Objects.requireNonNull(parserOptions);
        if (defaultSubqueryStepMillis <= 0) throw new IllegalArgumentException("default subquery step must be positive");
    }

    public EngineOptions(long lookbackDeltaMillis, Duration timeout, long maxSamples, ParserOptions parserOptions) {
        this(lookbackDeltaMillis, timeout, maxSamples, parserOptions, false, 60_000L);
    }

    public EngineOptions withLookbackDelta(long millis) {
        return new EngineOptions(millis, timeout, maxSamples, parserOptions, delayedNameRemoval, defaultSubqueryStepMillis);
    }

    public EngineOptions withTimeout(Duration t) {
        return new EngineOptions(lookbackDeltaMillis, t, maxSamples, parserOptions, delayedNameRemoval, defaultSubqueryStepMillis);
    }

    public EngineOptions withMaxSamples(long n) {
        return new EngineOptions(lookbackDeltaMillis, timeout, n, parserOptions, delayedNameRemoval, defaultSubqueryStepMillis);
    }

    public EngineOptions withParserOptions(ParserOptions p) {
        return new EngineOptions(lookbackDeltaMillis, timeout, maxSamples, p, delayedNameRemoval, defaultSubqueryStepMillis);
    }

    public EngineOptions withDelayedNameRemoval(boolean on) {
        return new EngineOptions(lookbackDeltaMillis, timeout, maxSamples, parserOptions, on, defaultSubqueryStepMillis);
    }

    public EngineOptions withDefaultSubqueryStep(long millis) {
        return new EngineOptions(lookbackDeltaMillis, timeout, maxSamples, parserOptions, delayedNameRemoval, millis);
    }

    /** The settings Prometheus's PromQL test scripts run with: every feature on, delayed name removal. */
    public static EngineOptions forTestScripts() {
        return DEFAULT.withParserOptions(ParserOptions.ALL).withDelayedNameRemoval(true).withMaxSamples(50_000_000L);
    }
}
