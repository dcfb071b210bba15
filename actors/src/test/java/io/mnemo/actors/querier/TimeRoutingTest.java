package io.mnemo.actors.querier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.querier.TimeRouting.Range;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which stores a time range goes to (Mimir's query-ingesters-within and query-store-after). */
class TimeRoutingTest {
    static final long H = 3_600_000;
    static final long NOW = 1_000 * H;
    static final TimeRouting DEFAULTS = new TimeRouting(Duration.ofHours(13), Duration.ofHours(12));

    @Test
    void recentDataComesFromIngestersAlone() {
        assertEquals(new Range(NOW - H, NOW), DEFAULTS.ingesters(NOW - H, NOW, NOW));
        assertNull(DEFAULTS.stores(NOW - H, NOW, NOW), "younger than query-store-after: not asked of store-gateways");
        assertNull(DEFAULTS.stores(NOW - 12 * H + 1, NOW, NOW));
    }

    @Test
    void oldDataComesFromStoreGatewaysAlone() {
        assertEquals(new Range(NOW - 48 * H, NOW - 24 * H), DEFAULTS.stores(NOW - 48 * H, NOW - 24 * H, NOW));
        assertNull(DEFAULTS.ingesters(NOW - 48 * H, NOW - 24 * H, NOW), "older than query-ingesters-within: not asked of ingesters");
        assertNull(DEFAULTS.ingesters(NOW - 48 * H, NOW - 13 * H - 1, NOW));
    }

    @Test
    void aRangeAcrossBothIsSplitWithTheOverlapAskedOfBoth() {
        Range i = DEFAULTS.ingesters(NOW - 7 * 24 * H, NOW, NOW);
        Range s = DEFAULTS.stores(NOW - 7 * 24 * H, NOW, NOW);
        assertEquals(new Range(NOW - 13 * H, NOW), i, "ingesters: only their last 13 h");
        assertEquals(new Range(NOW - 7 * 24 * H, NOW - 12 * H), s, "store-gateways: up to 12 h ago");
        assertTrue(s.maxt() >= i.mint(), "no time is nobody's");
    }

    @Test
    void ingestersAreAlsoAskedBackToTheOldestSampleTheyHold() {
        assertEquals(new Range(NOW - 30 * H, NOW - 24 * H), DEFAULTS.ingesters(NOW - 48 * H, NOW - 24 * H, NOW, NOW - 30 * H));
        assertNull(DEFAULTS.ingesters(NOW - 48 * H, NOW - 31 * H, NOW, NOW - 30 * H), "older than anything they hold");
        assertEquals(new Range(NOW - 13 * H, NOW), DEFAULTS.ingesters(NOW - 48 * H, NOW, NOW, NOW - H), "never less than the window");
    }

    @Test
    void zeroAsksThatSideForEverything() {
        TimeRouting storeAlways = new TimeRouting(Duration.ofMinutes(10), Duration.ZERO);
        assertEquals(new Range(NOW - H, NOW), storeAlways.stores(NOW - H, NOW, NOW));
        assertNull(storeAlways.ingesters(NOW - H, NOW - 11 * 60_000, NOW), "older than 10 min: store only");
        TimeRouting both = new TimeRouting(Duration.ZERO, Duration.ZERO);
        assertEquals(new Range(0, NOW), both.ingesters(0, NOW, NOW));
        assertEquals(new Range(0, NOW), both.stores(0, NOW, NOW));
        TimeRouting ingestersAlways = new TimeRouting(Duration.ZERO, Duration.ofHours(12));
        assertEquals(new Range(0, NOW), ingestersAlways.ingesters(0, NOW, NOW));
        assertEquals(new Range(0, NOW - 12 * H), ingestersAlways.stores(0, NOW, NOW));
    }

    @Test
    void storeAfterMustBeBelowIngestersWithinSoThatNoTimeIsNobodys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TimeRouting(Duration.ofHours(12), Duration.ofHours(12)));
        assertTrue(e.getMessage().contains("mnemo.querier.query-store-after"), e.getMessage());
        assertTrue(e.getMessage().contains("mnemo.querier.query-ingesters-within"), e.getMessage());
    }
}
