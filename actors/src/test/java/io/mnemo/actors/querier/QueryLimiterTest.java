package io.mnemo.actors.querier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mnemo.promql.ErrorType;
import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.Test;

class QueryLimiterTest {
    private static final long HOUR = 3_600_000;

    @Test
    void distinctSeriesBeyondTheLimitStopTheQueryWithMimirsMessage() {
        QueryLimiter limiter = new QueryLimiter(3, 0, 0);
        for (int i = 0; i < 3; i++) limiter.addSeries(Labels.of("__name__", "m", "i", "" + i));
        // The same series again, from another selector, counts once.
        for (int i = 0; i < 3; i++) limiter.addSeries(Labels.of("__name__", "m", "i", "" + i));
        QueryLimitExceededException e = assertThrows(QueryLimitExceededException.class,
                () -> limiter.addSeries(Labels.of("__name__", "m", "i", "3")));
        assertEquals(ErrorType.EXECUTION, e.errorType());
        assertEquals("max-fetched-series-per-query", e.limit());
        assertEquals("the query exceeded the maximum number of series (limit: 3 series) (err-mnemo-max-series-per-query)."
                + " Consider reducing the time range and/or number of series selected by the query. One way to reduce"
                + " the number of selected series is to add more label matchers to the query. Otherwise, to adjust the"
                + " related per-tenant limit, configure mnemo.limits.max-fetched-series-per-query, or contact your"
                + " service administrator.", e.getMessage());
    }

    @Test
    void manySeriesAreCountedExactly() {
        QueryLimiter limiter = new QueryLimiter(100_000, 0, 0);
        for (int i = 0; i < 100_000; i++) limiter.addSeries(Labels.of("__name__", "m", "i", "" + i));
        for (int i = 0; i < 100_000; i += 7) limiter.addSeries(Labels.of("__name__", "m", "i", "" + i));
        assertThrows(QueryLimitExceededException.class, () -> limiter.addSeries(Labels.of("__name__", "other")));
    }

    @Test
    void chunkBytesBeyondTheLimitStopTheQuery() {
        QueryLimiter limiter = new QueryLimiter(0, 1000, 0);
        limiter.addChunkBytes(600);
        limiter.addChunkBytes(400);
        QueryLimitExceededException e = assertThrows(QueryLimitExceededException.class, () -> limiter.addChunkBytes(1));
        assertEquals("max-fetched-chunk-bytes-per-query", e.limit());
        assertEquals("the query exceeded the aggregated chunks size limit (limit: 1000 bytes)"
                + " (err-mnemo-max-chunks-bytes-per-query). Consider reducing the time range and/or number of series"
                + " selected by the query. One way to reduce the number of selected series is to add more label matchers"
                + " to the query. Otherwise, to adjust the related per-tenant limit, configure"
                + " mnemo.limits.max-fetched-chunk-bytes-per-query, or contact your service administrator.", e.getMessage());
    }

    @Test
    void aTimeRangeLongerThanTheLimitIsRefused() {
        QueryLimiter limiter = new QueryLimiter(0, 0, HOUR);
        limiter.checkQueryLength(0, HOUR);
        QueryLimitExceededException e = assertThrows(QueryLimitExceededException.class,
                () -> limiter.checkQueryLength(-5 * 60_000 + 1, HOUR));
        assertEquals("max-query-length", e.limit());
        assertEquals("the query time range exceeds the limit (query length: 1h4m59.999s, limit: 1h0m0s)"
                + " (err-mnemo-max-query-length). To adjust the related per-tenant limit, configure"
                + " mnemo.limits.max-query-length, or contact your service administrator.", e.getMessage());
    }

    @Test
    void limitsOfZeroAreOff() {
        QueryLimiter limiter = new QueryLimiter(0, 0, 0);
        for (int i = 0; i < 1000; i++) limiter.addSeries(Labels.of("i", "" + i));
        limiter.addChunkBytes(Long.MAX_VALUE / 2);
        limiter.checkQueryLength(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
    }

    @Test
    void durationsPrintAsGoPrintsThem() {
        assertEquals("0s", QueryLimiter.goDuration(0));
        assertEquals("1ms", QueryLimiter.goDuration(1));
        assertEquals("999ms", QueryLimiter.goDuration(999));
        assertEquals("1s", QueryLimiter.goDuration(1000));
        assertEquals("1.5s", QueryLimiter.goDuration(1500));
        assertEquals("1m30s", QueryLimiter.goDuration(90_000));
        assertEquals("4m59.999s", QueryLimiter.goDuration(5 * 60_000 - 1));
        assertEquals("1h0m0s", QueryLimiter.goDuration(HOUR));
        assertEquals("8760h0m0.01s", QueryLimiter.goDuration(8760 * HOUR + 10));
    }
}
