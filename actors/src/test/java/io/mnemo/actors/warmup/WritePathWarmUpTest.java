package io.mnemo.actors.warmup;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WritePathWarmUpTest {
    @Test
    void synthesizedPushesGoAllTheWayIntoScratchHeads() {
        WritePathWarmUp.Result r = WritePathWarmUp.run(Duration.ofMillis(700), 4);
        assertTrue(r.series() > 0, "series were created: " + r);
        // Every series created got its samples: appended samples cover at least one per series.
        assertTrue(r.samples() >= r.series(), r.toString());
        assertTrue(r.series() <= 20_000, "the synthetic series repeat round after round: " + r);
        assertTrue(r.took().toMillis() >= 700, "it runs for its budget: " + r);
    }
}
