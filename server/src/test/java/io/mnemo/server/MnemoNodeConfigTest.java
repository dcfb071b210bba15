package io.mnemo.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.mnemo.server.kafka.KafkaSetup;
import io.mnemo.actors.MnemoSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MnemoNodeConfigTest {
    @Test
    void embeddedBrokerPropertiesKeepKafkasDottedKeys() {
        var config = ConfigFactory.parseString("""
                mnemo.kafka.embedded.broker {
                  num.io.threads = 4
                  log.segment.bytes = 268435456
                  "log.cleaner.enable" = false
                }
                """);
        assertEquals(Map.of("num.io.threads", "4", "log.segment.bytes", "268435456", "log.cleaner.enable", "false"),
                KafkaSetup.brokerProperties(config));
        assertEquals(Map.of(), KafkaSetup.brokerProperties(ConfigFactory.parseString("mnemo.kafka.embedded.broker {}")));
    }

    /** The filesystem bucket's default follows the data directory however it is set (--data-dir here). */
    @Test
    void theBlocksBucketFollowsTheDataDirectory() {
        var settings = MnemoSettings.from(MnemoConfig.load(null, Map.of("mnemo.data-dir", "/srv/node1")));
        assertEquals(Path.of("/srv/node1/blocks"), settings.blocksStorage().filesystemDir());
    }
}
