package io.mnemo.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds a node's configuration: -D system properties over CLI overrides over the --config file
 * over the bundled defaults ({@code conf/application.conf}), then derives the paths under the data
 * directory.
 */
public final class MnemoConfig {
    private MnemoConfig() {}

    public static Config load(Path configFile, Map<String, Object> overrides) {
        // Absolute, so that the file's relative includes resolve beside it also for a bare file name.
        Config file = configFile == null ? ConfigFactory.empty() : ConfigFactory.parseFile(configFile.toAbsolutePath().toFile());
        if (configFile != null && !configFile.toFile().isFile()) {
            throw new IllegalArgumentException("config file not found: " + configFile);
        }
        Config base = ConfigFactory.defaultOverrides()
                .withFallback(ConfigFactory.parseMap(overrides))
                .withFallback(file)
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReference());
        return derive(base.resolve());
    }

    /**
     * Mnemo's roles, plus {@code ingester-<zone>} (the zone's ingester entities live only there) and
     * {@code store-gateway-<zone>} (how others learn a store-gateway's zone).
     */
    static java.util.List<String> clusterRoles(Config c) {
        java.util.List<String> roles = new java.util.ArrayList<>(c.getStringList("mnemo.roles"));
        if (roles.contains("ingester")) roles.add(io.mnemo.cluster.IngesterId.entityTypeName(c.getString("mnemo.zone")));
        if (roles.contains(io.mnemo.cluster.StoreGatewayMembers.ROLE)) {
            roles.add(io.mnemo.cluster.StoreGatewayMembers.zoneRole(c.getString("mnemo.zone")));
        }
        return roles;
    }

    /** Fills in settings that follow from others: directories under the data dir, and ports. */
    static Config derive(Config c) {
        Path dataDir = Path.of(c.getString("mnemo.data-dir")).toAbsolutePath();
        Config derived = ConfigFactory.empty()
                .withValue("mnemo.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()))
                .withValue("mnemo.persistence.journal.dir",
                        ConfigValueFactory.fromAnyRef(dataDir.resolve("journal").toString()))
                .withValue("mnemo.persistence.snapshot-store.dir",
                        ConfigValueFactory.fromAnyRef(dataDir.resolve("snapshots").toString()))
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(clusterRoles(c)));
        return derived.withFallback(c);
    }
}
