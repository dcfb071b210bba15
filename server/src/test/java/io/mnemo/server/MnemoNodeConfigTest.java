package io.mnemo.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.mnemo.server.kafka.KafkaSetup;
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
}
