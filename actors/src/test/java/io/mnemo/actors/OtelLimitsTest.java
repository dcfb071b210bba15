package io.mnemo.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OTLP translation limits: Prometheus 3's defaults, per-tenant overrides, typos refused at startup. */
class OtelLimitsTest {
    private static TenantLimits limits(String overrides) {
        return TenantLimits.from(ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.parseFile(new File("../conf/application.conf"))).resolve().getConfig("mnemo.limits"));
    }

    @Test
    void defaultsAreUnderscoreEscapingWithSuffixesAndNothingPromoted() {
        TenantLimits.Limits d = limits("").defaults();
        assertEquals(OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES, d.otelTranslationStrategy());
        assertEquals(List.of(), d.promoteOtelResourceAttributes());
        assertFalse(d.otelKeepIdentifyingResourceAttributes());
    }

    @Test
    void tenantsOverrideEachOption() {
        TenantLimits l = limits("mnemo.limits.tenants.\"team-a\" { otel-translation-strategy = NoTranslation,"
                + " promote-otel-resource-attributes = [\"k8s.namespace.name\"], otel-keep-identifying-resource-attributes = true }");
        TenantLimits.Limits a = l.of("team-a");
        assertEquals(OtelTranslationStrategy.NO_TRANSLATION, a.otelTranslationStrategy());
        assertFalse(a.otelTranslationStrategy().escapes() || a.otelTranslationStrategy().addsSuffixes());
        assertEquals(List.of("k8s.namespace.name"), a.promoteOtelResourceAttributes());
        assertTrue(a.otelKeepIdentifyingResourceAttributes());
        assertEquals(OtelTranslationStrategy.UNDERSCORE_ESCAPING_WITH_SUFFIXES, l.of("other").otelTranslationStrategy());
    }

    @Test
    void anUnknownStrategyFailsStartupNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> limits("mnemo.limits.otel-translation-strategy = Underscores"));
        assertTrue(e.getMessage().contains("\"Underscores\" is not one of UnderscoreEscapingWithSuffixes, "
                + "UnderscoreEscapingWithoutSuffixes, NoUTF8EscapingWithSuffixes, NoTranslation"), e.getMessage());
    }
}
