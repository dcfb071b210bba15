package io.mnemo.server;

import static org.junit.jupiter.api.Assertions.*;

import io.mnemo.actors.ingester.IngesterCommand.IngesterStatus;
import io.mnemo.cluster.IngesterDesc;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.RingState;
import io.mnemo.cluster.RingView;
import io.mnemo.http.Readiness;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReadinessTest {
    static final String NODE = "pekko://mnemo@127.0.0.1:25520";
    static final IngesterId P0 = new IngesterId("zone-a", 0);
    static final IngesterId P1 = new IngesterId("zone-a", 1);

    static IngesterStatus status(IngesterId id, RingState state) {
        return new IngesterStatus(id, state, 10, 10, 0, 5, NODE, null);
    }

    static RingView ring(long now, IngesterDesc... descs) {
        return new RingView(List.of(descs), Set.of(), now, Duration.ofSeconds(15));
    }

    static IngesterDesc desc(IngesterId id, RingState state, long heartbeat) {
        return new IngesterDesc(id, state, RingState.JOINING, NODE, heartbeat, 0, 10);
    }

    @Test
    void readyOnlyWhenTheIngestersAndTheRingSayACTIVE() {
        long now = 1_000_000;
        List<IngesterStatus> active = List.of(status(P0, RingState.ACTIVE), status(P1, RingState.ACTIVE));

        Readiness joining = MnemoNode.readiness(List.of(status(P0, RingState.ACTIVE), status(P1, RingState.JOINING)),
                ring(now, desc(P0, RingState.ACTIVE, now), desc(P1, RingState.ACTIVE, now)));
        assertFalse(joining.ready());
        assertTrue(joining.reason().contains("JOINING"), joining.reason());

        Readiness lagging = MnemoNode.readiness(active, ring(now, desc(P0, RingState.ACTIVE, now), desc(P1, RingState.JOINING, now)));
        assertFalse(lagging.ready(), "the ring still routes reads away from partition 1");
        assertTrue(lagging.reason().contains("ring"), lagging.reason());

        assertFalse(MnemoNode.readiness(active, ring(now, desc(P0, RingState.ACTIVE, now))).ready(), "partition 1 not in the ring yet");
        assertFalse(MnemoNode.readiness(active, ring(now, desc(P0, RingState.ACTIVE, now),
                desc(P1, RingState.ACTIVE, now - 60_000))).ready(), "a stale heartbeat makes it UNHEALTHY in the ring");

        assertEquals(Readiness.READY, MnemoNode.readiness(active,
                ring(now, desc(P0, RingState.ACTIVE, now), desc(P1, RingState.ACTIVE, now))));
    }

    @Test
    void anIngesterThatNeedsAnOperatorIsNamedWithWhatToDo() {
        long now = 1_000_000;
        String lost = "ingester zone-a/1 lost Kafka offsets [21, 40) (19 records): ...; accept the loss with "
                + "POST /ingester/accept-data-loss?id=zone-a/1";
        Readiness r = MnemoNode.readiness(List.of(status(P0, RingState.ACTIVE),
                        new IngesterStatus(P1, RingState.JOINING, 21, 40, 19, 5, NODE, lost)),
                ring(now, desc(P0, RingState.ACTIVE, now), desc(P1, RingState.JOINING, now)));
        assertFalse(r.ready());
        assertEquals(lost, r.reason());
    }
}
