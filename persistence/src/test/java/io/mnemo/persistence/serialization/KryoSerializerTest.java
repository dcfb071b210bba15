package io.mnemo.persistence.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.persistence.MnemoSerializable;
import io.mnemo.persistence.PersistenceTestKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KryoSerializerTest {

    record Range(long first, long last) {
    }

    /** Shaped like an ingester event: raw Kafka bytes, a nested record, immutable collections. */
    record FetchedBatch(String tenant, int partition, byte[] records, Range offsets, List<String> labels,
            Map<String, Long> lag) implements MnemoSerializable {
    }

    @TempDir
    Path data;

    private static FetchedBatch batch(long seed, int bytes) {
        byte[] records = new byte[bytes];
        new Random(seed).nextBytes(records);
        return new FetchedBatch("tenant-" + seed, (int) seed % 16, records, new Range(seed * 100, seed * 100 + 99),
                List.of("a", "b", "c"), Map.of("zone-a", seed));
    }

    private static void assertSameBatch(FetchedBatch expected, Object actual) {
        FetchedBatch b = assertInstanceOf(FetchedBatch.class, actual);
        assertEquals(expected.tenant(), b.tenant());
        assertEquals(expected.partition(), b.partition());
        assertArrayEquals(expected.records(), b.records());
        assertEquals(expected.offsets(), b.offsets());
        assertEquals(expected.labels(), b.labels());
        assertEquals(expected.lag(), b.lag());
    }

    /** Shaped like a request to another node: the reply goes to an actor reference. */
    record Ask(String query, org.apache.pekko.actor.typed.ActorRef<String> replyTo) implements MnemoSerializable {
    }

    @Test
    void actorReferencesRoundTripAndStillReachTheirActor() {
        ActorTestKit kit = PersistenceTestKit.start(data);
        try {
            Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
            org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<String> probe = kit.createTestProbe();
            Ask original = new Ask("up", probe.getRef());
            byte[] bytes = serialization.serialize(original).get();
            Ask copy = assertInstanceOf(Ask.class, serialization.deserialize(bytes, KryoSerializer.IDENTIFIER, "").get());
            assertEquals(original.replyTo(), copy.replyTo());
            copy.replyTo().tell("answer");
            probe.expectMessage("answer");
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void mnemoMessagesAreBoundToKryoAndRoundTrip() {
        ActorTestKit kit = PersistenceTestKit.start(data);
        try {
            Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
            FetchedBatch original = batch(3, 100_000);
            Serializer serializer = serialization.findSerializerFor(original);
            assertInstanceOf(KryoSerializer.class, serializer);
            assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier());

            byte[] bytes = serialization.serialize(original).get();
            assertTrue(indexOf(bytes, original.records()) >= 0, "byte[] is written as-is, not re-encoded");
            assertTrue(bytes.length < original.records().length + 200, "no per-byte overhead: " + bytes.length);
            assertSameBatch(original, serialization.deserialize(bytes, KryoSerializer.IDENTIFIER, "").get());
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void pooledInstancesAreSafeAcrossThreads() throws Exception {
        KryoSerializer serializer = new KryoSerializer(getClass().getClassLoader());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                tasks.add(() -> {
                    for (int i = 0; i < 200; i++) {
                        // alternate sizes so pooled buffers grow and are trimmed concurrently
                        FetchedBatch b = batch(thread * 1000L + i, i % 50 == 0 ? 2_000_000 : 500);
                        assertSameBatch(b, serializer.fromBinary(serializer.toBinary(b)));
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
