package io.mnemo.actors.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.time.Duration;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.kafka.ProducerSettings;
import org.junit.jupiter.api.Test;

/** The partition writer's producer: what a push's acknowledgement promises rests on these settings. */
class KafkaPartitionWriterTest {
    /** The producer settings of a node's configuration (conf/application.conf over Pekko's defaults). */
    static ProducerSettings<byte[], byte[]> settings(Duration produceTimeout) {
        Config conf = ConfigFactory.parseFile(new File("../conf/application.conf")).withFallback(ConfigFactory.load()).resolve();
        ProducerSettings<byte[], byte[]> base = ProducerSettings.create(conf.getConfig("pekko.kafka.producer"),
                new ByteArraySerializer(), new ByteArraySerializer());
        return KafkaPartitionWriter.settings(base, "k1:9092,k2:9092", produceTimeout);
    }

    @Test
    void everyReplicaAcknowledgesAndRetriesNeitherDuplicateNorReorder() {
        ProducerSettings<byte[], byte[]> s = settings(Duration.ofSeconds(10));
        assertEquals("all", s.getProperty(ProducerConfig.ACKS_CONFIG));
        assertEquals("true", s.getProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("k1:9092,k2:9092", s.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals(Integer.toString(64 << 20), s.getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                "a record as large as a push may be");
        assertEquals("lz4", s.getProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG), "the configured tuning is kept");
    }

    @Test
    void timeoutsDeriveFromTheProduceTimeoutAndKafkaAcceptsThem() {
        ProducerSettings<byte[], byte[]> s = settings(Duration.ofSeconds(10));
        long request = Long.parseLong(s.getProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
        long linger = Long.parseLong(s.getProperty(ProducerConfig.LINGER_MS_CONFIG));
        long delivery = Long.parseLong(s.getProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
        assertEquals(5000, request);
        assertEquals("10000", s.getProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG));
        assertTrue(delivery >= request + linger, "Kafka refuses a delivery timeout below linger + request timeout");
        assertEquals("1000", settings(Duration.ofMillis(500)).getProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    }
}
