package io.mnemo.actors.ingester;

import com.typesafe.config.Config;
import io.mnemo.cluster.IngesterId;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Test-only fault injection, off unless configured: {@code mnemo.ingester.fault-injection.pause-in-block-cut}
 * makes every block cut pause once its block is on disk and before the head lets go of it, after
 * a WARN saying so, so a kill test can SIGKILL the node at exactly that point.
 */
final class IngesterFaults {
    static final String PAUSE_IN_BLOCK_CUT = "mnemo.ingester.fault-injection.pause-in-block-cut";

    private final Duration pauseInBlockCut;

    private IngesterFaults(Duration pauseInBlockCut) {
        this.pauseInBlockCut = pauseInBlockCut;
    }

    static IngesterFaults from(Config config) {
        return new IngesterFaults(config.hasPath(PAUSE_IN_BLOCK_CUT) ? config.getDuration(PAUSE_IN_BLOCK_CUT) : Duration.ZERO);
    }

    void install(PartitionTsdb tsdb, IngesterId id, Logger log) {
        if (pauseInBlockCut.isZero()) return;
        tsdb.onBlockWritten = () -> {
            log.warn("Fault injection: ingester {} pausing {} ms inside a block cut (block on disk, head not yet truncated)",
                    id, pauseInBlockCut.toMillis());
            try {
                Thread.sleep(pauseInBlockCut.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
