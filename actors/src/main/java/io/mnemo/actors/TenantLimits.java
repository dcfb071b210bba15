package io.mnemo.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-tenant limits ({@code mnemo.limits}): defaults, and overrides under
 * {@code mnemo.limits.tenants."<tenant>"} that set any subset of them (Mimir's runtime overrides,
 * read once at startup here).
 */
public record TenantLimits(Duration outOfOrderTimeWindow, Map<String, Duration> outOfOrderTimeWindowOverrides) {

    static TenantLimits from(Config limits) {
        Map<String, Duration> windows = new HashMap<>();
        Config tenants = limits.getConfig("tenants");
        for (Map.Entry<String, ConfigValue> e : tenants.root().entrySet()) {
            Config t = tenants.getConfig(com.typesafe.config.ConfigUtil.quoteString(e.getKey()));
            if (t.hasPath("out-of-order-time-window")) windows.put(e.getKey(), t.getDuration("out-of-order-time-window"));
        }
        return new TenantLimits(limits.getDuration("out-of-order-time-window"), Map.copyOf(windows));
    }

    /** How far behind the head's newest sample a tenant's samples may arrive out of order; 0: never. */
    public Duration outOfOrderTimeWindow(String tenant) {
        return outOfOrderTimeWindowOverrides.getOrDefault(tenant, outOfOrderTimeWindow);
    }
}
