package io.mnemo.actors.ingester;

import static org.junit.jupiter.api.Assertions.*;

import io.mnemo.cluster.IngesterId;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class RecoveryFailuresTest {
    static final IngesterId ID = new IngesterId("zone-a", 1);

    @Test
    void aFailureIsNewsOnceAndStandsUntilItsRetryIsDue() {
        RecoveryFailures failures = new RecoveryFailures();
        long t0 = 1_000_000;
        Exception cause = new IllegalStateException("recovery failed", new IOException("disk gone"));
        assertTrue(failures.failed(ID, cause, t0), "the first failure is reported");
        assertTrue(failures.standing(ID, t0 + 1).isPresent());
        assertTrue(failures.standing(ID, t0 + RecoveryFailures.RETRY_AFTER.toMillis()).isEmpty(), "retry due");
        assertFalse(failures.failed(ID, cause, t0 + 30_000), "the same failure again is not news");
        assertEquals(2, failures.of(ID).orElseThrow().attempts());
        assertTrue(failures.of(ID).orElseThrow().reason().contains("java.io.IOException: disk gone"));
        assertFalse(failures.of(ID).orElseThrow().journalDamaged());
        assertTrue(failures.failed(ID, new IOException("another"), t0 + 60_000), "another reason is news");

        assertEquals(3, failures.recovered(ID).orElseThrow().attempts());
        assertTrue(failures.of(ID).isEmpty());
        assertTrue(failures.standing(ID, t0 + 60_001).isEmpty());
    }
}
