package io.mnemo.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
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
                MnemoNode.brokerProperties(config));
        assertEquals(Map.of(), MnemoNode.brokerProperties(ConfigFactory.parseString("mnemo.kafka.embedded.broker {}")));
    }
}
