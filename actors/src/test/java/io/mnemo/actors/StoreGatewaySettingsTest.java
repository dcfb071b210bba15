package io.mnemo.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code mnemo.blocks-storage.bucket-store}, {@code mnemo.store-gateway} and the querier's time routing, as read from conf/application.conf. */
class StoreGatewaySettingsTest {

    @Test
    void mimirsDefaults() {
        MnemoSettings s = BlocksStorageSettingsTest.settings("mnemo.data-dir = \"/srv/mnemo\"");
        MnemoSettings.BucketStoreSettings b = s.bucketStore();
        assertEquals(Duration.ofMinutes(15), b.syncInterval());
        assertEquals(Path.of("/srv/mnemo/tsdb-sync"), b.syncDir());
        assertEquals(Duration.ofHours(10), b.ignoreBlocksWithin());
        assertEquals(256L << 20, b.indexCacheBytes());
        assertEquals(256L << 20, b.chunksCacheBytes());
        assertEquals(2, s.storeGatewayReplicationFactor());
        assertEquals(Duration.ofHours(13), s.queryIngestersWithin());
        assertEquals(Duration.ofHours(12), s.queryStoreAfter());
        assertTrue(s.hasRole("store-gateway"), "a single node has every role");
    }

    @Test
    void secondsForTests() {
        MnemoSettings s = BlocksStorageSettingsTest.settings("""
                mnemo.blocks-storage.bucket-store { sync-interval = 1s, ignore-blocks-within = 0s }
                mnemo.querier { query-store-after = 0s, query-ingesters-within = 5m }""");
        assertEquals(Duration.ofSeconds(1), s.bucketStore().syncInterval());
        assertEquals(Duration.ZERO, s.bucketStore().ignoreBlocksWithin());
        assertEquals(Duration.ZERO, s.queryStoreAfter());
        assertEquals(Duration.ofMinutes(5), s.queryIngestersWithin());
    }

    @Test
    void nonsenseIsAStartupErrorNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlocksStorageSettingsTest.settings("mnemo.store-gateway.sharding-ring.replication-factor = 0"));
        assertTrue(e.getMessage().contains("mnemo.store-gateway.sharding-ring.replication-factor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BlocksStorageSettingsTest.settings("mnemo.blocks-storage.bucket-store.sync-interval = 0s"));
        assertTrue(e.getMessage().contains("mnemo.blocks-storage.bucket-store.sync-interval"), e.getMessage());
    }
}
