package io.mnemo.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.mnemo.actors.distributor.PushLimits;
import java.io.File;
import org.junit.jupiter.api.Test;

/** The native histogram limits: defaults, per-tenant overrides, and what a push of the tenant gets. */
class NativeHistogramLimitsTest {
    private static TenantLimits limits(String overrides) {
        return TenantLimits.from(ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.parseFile(new File("../conf/application.conf"))).resolve().getConfig("mnemo.limits"));
    }

    @Test
    void defaultsTakeHistogramsOfAnySizeAndReduceWhenLimited() {
        TenantLimits.Limits d = limits("").defaults();
        assertTrue(d.nativeHistogramsIngestionEnabled());
        assertEquals(0, d.maxNativeHistogramBuckets());
        assertTrue(d.reduceNativeHistogramOverMaxBuckets());
        PushLimits p = PushLimits.at(1_000, d);
        assertTrue(p.nativeHistograms());
        assertEquals(0, p.maxNativeHistogramBuckets());
        assertTrue(p.reduceNativeHistograms());
    }

    @Test
    void tenantsOverrideEachLimit() {
        TenantLimits l = limits("mnemo.limits.tenants.\"team-a\" { native-histograms-ingestion-enabled = false,"
                + " max-native-histogram-buckets = 160, reduce-native-histogram-over-max-buckets = false }");
        PushLimits a = PushLimits.at(1_000, l.of("team-a"));
        assertFalse(a.nativeHistograms());
        assertEquals(160, a.maxNativeHistogramBuckets());
        assertFalse(a.reduceNativeHistograms());
        assertTrue(PushLimits.at(1_000, l.of("other")).nativeHistograms());
    }

    @Test
    void aNegativeBucketLimitFailsStartup() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> limits("mnemo.limits.tenants.t.max-native-histogram-buckets = -1"));
        assertTrue(e.getMessage().contains("must not be negative"), e.getMessage());
    }
}
