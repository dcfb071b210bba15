package io.mnemo.bucketstore;

import io.mnemo.objstore.S3Bucket;
import io.mnemo.objstore.S3Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API in the test's JVM, as objstore's tests start it: s3proxy 2.6.0 over jclouds'
 * filesystem blob store, on a free loopback port, plain HTTP, SigV4 checked.
 */
final class S3Proxy implements AutoCloseable {
    private static final String ACCESS_KEY = "mnemo-access-key";
    private static final String SECRET_KEY = "mnemo-secret-key";

    private final BlobStoreContext context;
    private final org.gaul.s3proxy.S3Proxy proxy;

    S3Proxy(Path dir) throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        context = ContextBuilder.newBuilder("filesystem").overrides(props).build(BlobStoreContext.class);
        proxy = org.gaul.s3proxy.S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!"STARTED".equals(proxy.getState())) {
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            Thread.onSpinWait();
        }
    }

    /** A new, empty bucket of this name, and a client of it. */
    S3Bucket bucket(String name) {
        context.getBlobStore().createContainerInLocation(null, name);
        return new S3Bucket(new S3Config("127.0.0.1:" + proxy.getPort(), name, "", ACCESS_KEY, SECRET_KEY, true,
                S3Config.BucketLookupType.AUTO));
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
