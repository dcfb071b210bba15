package io.mnemo.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mnemo.objstore.BucketConfig;
import io.mnemo.objstore.S3Config;
import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code mnemo.blocks-storage} as read from conf/application.conf and overrides. */
class BlocksStorageSettingsTest {

    static MnemoSettings settings(String overrides) {
        Config conf = ConfigFactory.parseFile(new File("../conf/application.conf"));
        return MnemoSettings.from(ConfigFactory.parseString(overrides).withFallback(conf).resolve());
    }

    @Test
    void theDefaultIsAFilesystemBucketUnderTheDataDirectory() {
        BucketConfig b = settings("mnemo.data-dir = \"/srv/mnemo\"").blocksStorage();
        assertEquals(BucketConfig.Backend.FILESYSTEM, b.backend());
        assertEquals(Path.of("/srv/mnemo/blocks"), b.filesystemDir());
    }

    @Test
    void anExplicitDirectory() {
        BucketConfig b = settings("mnemo.blocks-storage.filesystem.dir = \"/mnt/shared/blocks\"").blocksStorage();
        assertEquals(Path.of("/mnt/shared/blocks"), b.filesystemDir());
    }

    @Test
    void s3() {
        BucketConfig b = settings("""
                mnemo.blocks-storage {
                  backend = s3
                  s3 { endpoint = "minio:9000", bucket-name = mnemo-blocks, region = eu-west-1,
                       access-key-id = AK, secret-access-key = SK, insecure = true }
                }""").blocksStorage();
        assertEquals(BucketConfig.Backend.S3, b.backend());
        S3Config s3 = b.s3();
        assertEquals("minio:9000", s3.endpoint());
        assertEquals("mnemo-blocks", s3.bucketName());
        assertEquals("eu-west-1", s3.region());
        assertEquals("AK", s3.accessKeyId());
        assertEquals("SK", s3.secretAccessKey());
        assertEquals("http://minio:9000", s3.endpointUri().toString());
        assertTrue(s3.pathStyle(), "auto: path-style for an endpoint that is not AWS");
        assertFalse(s3.toString().contains("SK"), "the secret is not printed");
    }

    @Test
    void anUnknownBackendIsAStartupErrorNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings("mnemo.blocks-storage.backend = gcs"));
        assertEquals("mnemo.blocks-storage.backend: unknown value \"gcs\", expected filesystem or s3", e.getMessage());
    }

    @Test
    void s3SettingsAreCheckedOnlyForTheS3Backend() {
        assertEquals(BucketConfig.Backend.FILESYSTEM,
                settings("mnemo.blocks-storage.s3.endpoint = \"http://x\"").blocksStorage().backend());
        assertEquals("mnemo.blocks-storage.s3.bucket-name is empty", assertThrows(IllegalArgumentException.class,
                () -> settings("mnemo.blocks-storage.backend = s3")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(
                "mnemo.blocks-storage { backend = s3, s3 { bucket-name = b, endpoint = \"http://minio:9000\" } }"))
                .getMessage().startsWith("mnemo.blocks-storage.s3.endpoint \"http://minio:9000\" has a scheme"));
        assertEquals("mnemo.blocks-storage.s3.secret-access-key is empty but s3.access-key-id is set",
                assertThrows(IllegalArgumentException.class, () -> settings(
                        "mnemo.blocks-storage { backend = s3, s3 { bucket-name = b, access-key-id = AK } }")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(
                "mnemo.blocks-storage.s3.bucket-lookup-type = dns")).getMessage()
                .startsWith("mnemo.blocks-storage.s3.bucket-lookup-type: unknown value \"dns\""));
    }
}
