package io.mnemo.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.compactor.CompactorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code mnemo.compactor}, the retention limit and the readers' deletion-mark delay, as read from conf/application.conf. */
class CompactorSettingsTest {

    @Test
    void mimirsDefaults() {
        MnemoSettings s = BlocksStorageSettingsTest.settings("mnemo.data-dir = \"/srv/mnemo\"");
        CompactorConfig c = s.compactor();
        assertEquals(Duration.ofHours(1), c.compactionInterval());
        assertEquals(List.of(Duration.ofHours(2), Duration.ofHours(12), Duration.ofHours(24)), c.blockRanges());
        assertEquals(Duration.ofMinutes(25), c.firstLevelCompactionWaitPeriod());
        assertEquals(Duration.ofHours(12), c.deletionDelay());
        assertEquals(Duration.ofMinutes(15), c.cleanupInterval());
        assertEquals(Path.of("/srv/mnemo/compactor"), c.dataDir());
        assertEquals(Duration.ofHours(1), s.bucketStore().ignoreDeletionMarksDelay());
        assertEquals(Duration.ZERO, s.limits().compactorBlocksRetentionPeriod("anyone"), "0: keep forever");
        assertTrue(s.hasRole("compactor"), "a single node has every role");
    }

    @Test
    void secondsForTestsAndRetentionPerTenant() {
        MnemoSettings s = BlocksStorageSettingsTest.settings("""
                mnemo.compactor { compaction-interval = 2s, block-ranges = [10s, 60s], first-level-compaction-wait-period = 0s,
                                  deletion-delay = 3s, cleanup-interval = 1s }
                mnemo.blocks-storage.bucket-store.ignore-deletion-marks-delay = 2s
                mnemo.limits { compactor-blocks-retention-period = 30d, tenants."t1" { compactor-blocks-retention-period = 1h } }""");
        assertEquals(List.of(Duration.ofSeconds(10), Duration.ofSeconds(60)), s.compactor().blockRanges());
        assertEquals(Duration.ZERO, s.compactor().firstLevelCompactionWaitPeriod());
        assertEquals(Duration.ofHours(1), s.limits().compactorBlocksRetentionPeriod("t1"));
        assertEquals(Duration.ofDays(30), s.limits().compactorBlocksRetentionPeriod("t2"));
    }

    @Test
    void nonsenseIsAStartupErrorNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlocksStorageSettingsTest.settings("mnemo.compactor.block-ranges = [2h, 5h]"));
        assertTrue(e.getMessage().contains("mnemo.compactor.block-ranges"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BlocksStorageSettingsTest.settings("mnemo.compactor.cleanup-interval = 0s"));
        assertTrue(e.getMessage().contains("mnemo.compactor.cleanup-interval"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BlocksStorageSettingsTest.settings("mnemo.limits.compactor-blocks-retention-period = -1h"));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BlocksStorageSettingsTest.settings("mnemo.compactor.deletion-delay = 30m"));
        assertTrue(e.getMessage().contains("mnemo.compactor.deletion-delay") && e.getMessage().contains("ignore-deletion-marks-delay"),
                e.getMessage());
    }
}
