package io.mnemo.objstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bucket contract against a real S3 API (s3proxy, in-process), and what only S3 has. */
class S3BucketTest extends BucketContractTest {
    static Path proxyDir;
    static S3ProxyServer proxy;
    static final AtomicInteger buckets = new AtomicInteger();
    String bucketName;

    @BeforeAll
    static void startProxy() throws Exception {
        proxyDir = Files.createTempDirectory("s3proxy");
        proxy = new S3ProxyServer(proxyDir);
    }

    @AfterAll
    static void stopProxy() throws Exception {
        if (proxy != null) proxy.close();
        if (proxyDir != null) FilesystemBucketTest.deleteRecursively(proxyDir);
    }

    @Override
    Bucket openEmptyBucket() {
        bucketName = "mnemo-test-" + buckets.incrementAndGet();
        proxy.createBucket(bucketName);
        return new S3Bucket(proxy.config(bucketName));
    }

    @Test
    void wrongCredentialsAreAFailureNotAMissingObject() throws IOException {
        put("x", "x");
        S3Config wrong = new S3Config(proxy.endpoint(), bucketName, "", S3ProxyServer.ACCESS_KEY, "not-the-secret",
                true, S3Config.BucketLookupType.PATH);
        try (Bucket b = new S3Bucket(wrong)) {
            IOException e = assertThrows(IOException.class, () -> b.get("x"));
            assertFalse(Bucket.isObjNotFound(e), e.toString());
            assertThrows(IOException.class, () -> b.iter("", true, n -> {}));
        }
    }

    @Test
    void aMissingBucketIsAFailureNotAMissingObject() throws IOException {
        try (Bucket b = new S3Bucket(proxy.config("no-such-bucket"))) {
            IOException e = assertThrows(IOException.class, () -> b.get("x"));
            assertFalse(Bucket.isObjNotFound(e), e.toString());
            assertThrows(IOException.class, () -> b.upload("x", new java.io.ByteArrayInputStream(new byte[1]), 1));
        }
    }

    @Test
    void httpsIsTheDefault() throws IOException {
        S3Config secure = new S3Config(proxy.endpoint(), bucketName, "", "", "", false, S3Config.BucketLookupType.AUTO);
        assertEquals("https", secure.endpointUri().getScheme());
        assertEquals("http", proxy.config(bucketName).endpointUri().getScheme());
        // s3proxy here speaks plain HTTP only: an HTTPS client cannot talk to it.
        try (Bucket b = new S3Bucket(new S3Config(proxy.endpoint(), bucketName, "", S3ProxyServer.ACCESS_KEY,
                S3ProxyServer.SECRET_KEY, false, S3Config.BucketLookupType.PATH))) {
            assertThrows(IOException.class, () -> b.exists("x"));
        }
    }

    @Test
    void describeNamesTheBucketAndEndpoint() {
        assertTrue(bucket.describe().contains(bucketName) && bucket.describe().contains(proxy.endpoint()), bucket.describe());
    }

    @Test
    void aFailedMultipartUploadIsAborted() throws IOException {
        byte[] data = random(20 << 20, 5);
        assertThrows(IOException.class, () -> bucket.upload("mp/obj", failingAfter(data, 18 << 20), data.length));
        assertEquals(List.of(), proxy.blobStore().listMultipartUploads(bucketName).stream().map(u -> u.blobName()).toList(),
                "no upload left open");
    }
}
