package io.mnemo.objstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.objstore.S3Config.BucketLookupType;
import org.junit.jupiter.api.Test;

class S3ConfigTest {
    static S3Config config(String endpoint, boolean insecure, BucketLookupType lookup) {
        return new S3Config(endpoint, "blocks", "", "", "", insecure, lookup);
    }

    @Test
    void addressing() {
        assertTrue(config("minio:9000", true, BucketLookupType.AUTO).pathStyle(), "an S3-compatible store: path-style");
        assertTrue(config("10.0.0.5:7480", false, BucketLookupType.AUTO).pathStyle());
        assertFalse(config("", false, BucketLookupType.AUTO).pathStyle(), "AWS: virtual-hosted");
        assertFalse(config("s3.eu-west-1.amazonaws.com", false, BucketLookupType.AUTO).pathStyle());
        assertFalse(config("s3.cn-north-1.amazonaws.com.cn", false, BucketLookupType.AUTO).pathStyle());
        assertTrue(config("s3.eu-west-1.amazonaws.com", false, BucketLookupType.PATH).pathStyle());
        assertFalse(config("minio.example.com", false, BucketLookupType.VIRTUAL_HOSTED).pathStyle());
    }

    @Test
    void schemeFromInsecure() {
        assertEquals("https://minio:9000", config("minio:9000", false, BucketLookupType.AUTO).endpointUri().toString());
        assertEquals("http://minio:9000", config("minio:9000", true, BucketLookupType.AUTO).endpointUri().toString());
        assertNull(config("", false, BucketLookupType.AUTO).endpointUri());
    }

    @Test
    void regionDefaultsForSigning() {
        assertEquals("us-east-1", config("minio:9000", true, BucketLookupType.AUTO).signingRegion());
        assertEquals("eu-west-1", new S3Config("", "b", "eu-west-1", "", "", false, null).signingRegion());
    }

    @Test
    void validation() {
        assertEquals("s3.bucket-name is empty", assertThrows(IllegalArgumentException.class,
                () -> new S3Config("minio:9000", "", "", "", "", true, null).validate()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config("https://minio:9000", false, null).validate())
                .getMessage().startsWith("s3.endpoint \"https://minio:9000\" has a scheme"));
        assertEquals("s3.endpoint \"minio:9000/path\" is not host[:port]", assertThrows(IllegalArgumentException.class,
                () -> config("minio:9000/path", false, null).validate()).getMessage());
        assertEquals("s3.insecure = true needs s3.endpoint: AWS S3 is reached over HTTPS",
                assertThrows(IllegalArgumentException.class, () -> config("", true, null).validate()).getMessage());
        assertEquals("s3.access-key-id is empty but s3.secret-access-key is set", assertThrows(IllegalArgumentException.class,
                () -> new S3Config("", "b", "", "", "secret", false, null).validate()).getMessage());
        config("minio:9000", true, null).validate();
        new S3Config("", "b", "", "AK", "SK", false, null).validate();
    }

    @Test
    void bucketConfigChecksOnlyItsBackend() {
        assertEquals("filesystem.dir is empty", assertThrows(IllegalArgumentException.class,
                () -> new BucketConfig(BucketConfig.Backend.FILESYSTEM, null, null)).getMessage());
        assertEquals("s3.bucket-name is empty", assertThrows(IllegalArgumentException.class,
                () -> BucketConfig.s3(new S3Config("", "", "", "", "", false, null))).getMessage());
        assertEquals(BucketConfig.Backend.FILESYSTEM,
                new BucketConfig(BucketConfig.Backend.FILESYSTEM, java.nio.file.Path.of("x"), config("", true, null)).backend());
        assertEquals("backend: unknown value \"gcs\", expected filesystem or s3",
                assertThrows(IllegalArgumentException.class, () -> BucketConfig.Backend.parse("gcs")).getMessage());
    }
}
