package io.mnemo.objstore;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API in this JVM: s3proxy serving jclouds' filesystem blob store, on a free loopback
 * port, plain HTTP, signatures checked against one static key pair.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "mnemo-access-key";
    public static final String SECRET_KEY = "mnemo-secret-key";

    private final BlobStoreContext context;
    private final S3Proxy proxy;

    public S3ProxyServer(Path dir) throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        context = ContextBuilder.newBuilder("filesystem").overrides(props).build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
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

    /** host:port, as {@link S3Config#endpoint} wants it. */
    public String endpoint() {
        return "127.0.0.1:" + proxy.getPort();
    }

    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    /** Creates an empty bucket (Mnemo never creates buckets, as Mimir does not). */
    public void createBucket(String name) {
        blobStore().createContainerInLocation(null, name);
    }

    public S3Config config(String bucket) {
        return new S3Config(endpoint(), bucket, "", ACCESS_KEY, SECRET_KEY, true, S3Config.BucketLookupType.AUTO);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
