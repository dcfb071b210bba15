package io.mnemo.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RingViewTest {
    static final long NOW = 1_000_000;
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    static IngesterDesc desc(String zone, int partition, RingState state, String node, long heartbeat) {
        return new IngesterDesc(new IngesterId(zone, partition), state, RingState.PENDING, node, heartbeat, 0, 0);
    }

    @Test
    void silentOrUnreachableIngestersAreUnhealthy() {
        RingView view = new RingView(List.of(
                desc("zone-a", 0, RingState.ACTIVE, "n1", NOW - 1_000),
                desc("zone-b", 0, RingState.ACTIVE, "n2", NOW - 11_000),
                desc("zone-c", 0, RingState.ACTIVE, "n3", NOW)), Set.of("n3"), NOW, TIMEOUT);
        assertEquals(RingState.ACTIVE, view.member(new IngesterId("zone-a", 0)).orElseThrow().effectiveState());
        assertEquals(RingState.UNHEALTHY, view.member(new IngesterId("zone-b", 0)).orElseThrow().effectiveState());
        assertEquals(RingState.UNHEALTHY, view.member(new IngesterId("zone-c", 0)).orElseThrow().effectiveState());
    }

    @Test
    void readerPrefersActiveThenOwnZoneThenLeaving() {
        RingView view = new RingView(List.of(
                desc("zone-a", 0, RingState.LEAVING, "n1", NOW),
                desc("zone-b", 0, RingState.ACTIVE, "n2", NOW),
                desc("zone-a", 1, RingState.ACTIVE, "n1", NOW),
                desc("zone-b", 1, RingState.ACTIVE, "n2", NOW),
                desc("zone-a", 2, RingState.LEAVING, "n1", NOW),
                desc("zone-b", 2, RingState.JOINING, "n2", NOW),
                desc("zone-a", 3, RingState.JOINING, "n1", NOW),
                desc("zone-b", 3, RingState.ACTIVE, "n2", NOW - 60_000)), Set.of(), NOW, TIMEOUT);
        assertEquals("zone-b", view.readerFor(0, "zone-a").orElseThrow().id().zone());
        assertEquals("zone-a", view.readerFor(1, "zone-a").orElseThrow().id().zone());
        assertEquals("zone-b", view.readerFor(1, "zone-b").orElseThrow().id().zone());
        assertEquals("zone-a", view.readerFor(2, "zone-b").orElseThrow().id().zone());
        assertTrue(view.readerFor(3, "zone-a").isEmpty());
        assertEquals("zone-a/3 JOINING, zone-b/3 UNHEALTHY", view.describePartition(3));
    }

    @Test
    void membersAreSortedByPartitionThenZone() {
        RingView view = new RingView(List.of(
                desc("zone-b", 1, RingState.ACTIVE, "n2", NOW),
                desc("zone-a", 1, RingState.ACTIVE, "n1", NOW),
                desc("zone-b", 0, RingState.ACTIVE, "n2", NOW)), Set.of(), NOW, TIMEOUT);
        assertEquals(List.of("zone-b/0", "zone-a/1", "zone-b/1"),
                view.members().stream().map(m -> m.id().toString()).toList());
    }

    @Test
    void readerChoiceSaysWhy() {
        RingView view = new RingView(List.of(
                desc("zone-a", 0, RingState.ACTIVE, "n1", NOW),
                desc("zone-b", 0, RingState.ACTIVE, "n2", NOW),
                desc("zone-a", 1, RingState.ACTIVE, "n1", NOW - 60_000),
                desc("zone-b", 1, RingState.ACTIVE, "n2", NOW),
                desc("zone-a", 2, RingState.LEAVING, "n1", NOW),
                desc("zone-b", 2, RingState.JOINING, "n2", NOW),
                desc("zone-b", 3, RingState.ACTIVE, "n2", NOW),
                desc("zone-a", 4, RingState.JOINING, "n1", NOW)), Set.of(), NOW, TIMEOUT);
        ReaderChoice own = ReaderChoice.of(view, 0, "zone-a");
        assertEquals("zone-a/0", own.reader().orElseThrow().id().toString());
        assertEquals(List.of("zone-b/0"), own.fallbacks().stream().map(m -> m.id().toString()).toList());
        assertEquals("ACTIVE in this querier's zone", own.reason());
        assertEquals("ACTIVE in another zone: this zone's zone-a/1 is UNHEALTHY", ReaderChoice.of(view, 1, "zone-a").reason());
        assertEquals("ACTIVE in another zone: this zone (zone-a) has no ingester for it",
                ReaderChoice.of(view, 3, "zone-a").reason());
        ReaderChoice leaving = ReaderChoice.of(view, 2, "zone-b");
        assertEquals("zone-a/2", leaving.reader().orElseThrow().id().toString());
        assertEquals("LEAVING, read only as a last resort: no ACTIVE ingester (zone-a/2 LEAVING, zone-b/2 JOINING)",
                leaving.reason());
        ReaderChoice none = ReaderChoice.of(view, 4, "zone-a");
        assertTrue(none.reader().isEmpty());
        assertEquals("no readable ingester (zone-a/4 JOINING): queries fail with 503", none.reason());
    }
}
