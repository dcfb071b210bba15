package io.mnemo.objstore;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where and how to reach an S3 bucket, with Mimir's settings ({@code -blocks-storage.s3.*}).
 *
 * @param endpoint        host[:port] of the S3 API, without scheme; empty: AWS S3 of {@code region}
 * @param bucketName      the bucket, which must exist (Mnemo does not create it, nor does Mimir)
 * @param region          the region requests are signed for; empty: us-east-1, and requests to an
 *                        AWS bucket elsewhere follow S3's redirect to its region
 * @param accessKeyId     static credentials; both empty: the AWS SDK's default chain (environment,
 *                        profile, container or instance role)
 * @param secretAccessKey the secret of {@code accessKeyId}
 * @param insecure        plain HTTP to the endpoint instead of HTTPS (Mimir's meaning)
 * @param lookupType      how the bucket is addressed: in the path ({@code endpoint/bucket/key}) or
 *                        the host name ({@code bucket.endpoint/key})
 */
public record S3Config(
        String endpoint,
        String bucketName,
        String region,
        String accessKeyId,
        String secretAccessKey,
        boolean insecure,
        BucketLookupType lookupType) {

    /** The region requests are signed for when none is set: S3-compatible stores accept any. */
    public static final String DEFAULT_REGION = "us-east-1";

    /** Mimir's {@code bucket-lookup-type}. */
    public enum BucketLookupType {
        /** Virtual-hosted for AWS (no endpoint, or one of amazonaws.com), path-style for any other endpoint. */
        AUTO("auto"),
        VIRTUAL_HOSTED("virtual-hosted"),
        PATH("path");

        public final String configValue;

        BucketLookupType(String configValue) {
            this.configValue = configValue;
        }

        /** @throws IllegalArgumentException "s3.bucket-lookup-type: ..." for an unknown value */
        public static BucketLookupType parse(String value) {
            for (BucketLookupType t : values()) if (t.configValue.equals(value)) return t;
            throw new IllegalArgumentException("s3.bucket-lookup-type: unknown value \"" + value
                    + "\", expected auto, virtual-hosted or path");
        }
    }

    public S3Config {
        endpoint = endpoint == null ? "" : endpoint.trim();
        bucketName = bucketName == null ? "" : bucketName.trim();
        region = region == null ? "" : region.trim();
        accessKeyId = accessKeyId == null ? "" : accessKeyId;
        secretAccessKey = secretAccessKey == null ? "" : secretAccessKey;
        if (lookupType == null) lookupType = BucketLookupType.AUTO;
    }

    /**
     * Checks what an S3 bucket needs.
     *
     * @throws IllegalArgumentException whose message starts with the setting's key under
     *         blocks-storage, e.g. "s3.bucket-name is empty"
     */
    public S3Config validate() {
        if (bucketName.isEmpty()) throw new IllegalArgumentException("s3.bucket-name is empty");
        if (endpoint.contains("://")) {
            throw new IllegalArgumentException("s3.endpoint \"" + endpoint
                    + "\" has a scheme: give host[:port] only, and insecure = true for plain HTTP");
        }
        if (!endpoint.isEmpty()) {
            URI uri = endpointUri();
            if (uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty())) {
                throw new IllegalArgumentException("s3.endpoint \"" + endpoint + "\" is not host[:port]");
            }
        } else if (insecure) {
            throw new IllegalArgumentException("s3.insecure = true needs s3.endpoint: AWS S3 is reached over HTTPS");
        }
        if (accessKeyId.isEmpty() != secretAccessKey.isEmpty()) {
            throw new IllegalArgumentException(accessKeyId.isEmpty()
                    ? "s3.access-key-id is empty but s3.secret-access-key is set"
                    : "s3.secret-access-key is empty but s3.access-key-id is set");
        }
        return this;
    }

    /** The endpoint as a URI with the scheme {@code insecure} picks; null without an endpoint. */
    public URI endpointUri() {
        if (endpoint.isEmpty()) return null;
        try {
            return new URI((insecure ? "http" : "https") + "://" + endpoint);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("s3.endpoint \"" + endpoint + "\" is not host[:port]: " + e.getMessage(), e);
        }
    }

    /** Whether requests name the bucket in the path rather than the host name. */
    public boolean pathStyle() {
        return switch (lookupType) {
            case PATH -> true;
            case VIRTUAL_HOSTED -> false;
            case AUTO -> !endpoint.isEmpty() && !isAws(endpointUri().getHost());
        };
    }

    /** The region to sign for. */
    public String signingRegion() {
        return region.isEmpty() ? DEFAULT_REGION : region;
    }

    private static boolean isAws(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".amazonaws.com") || h.endsWith(".amazonaws.com.cn");
    }

    /** Without the secret. */
    @Override
    public String toString() {
        return "S3Config[endpoint=" + endpoint + ", bucketName=" + bucketName + ", region=" + region
                + ", accessKeyId=" + accessKeyId + ", secretAccessKey=" + (secretAccessKey.isEmpty() ? "" : "<redacted>")
                + ", insecure=" + insecure + ", lookupType=" + lookupType.configValue + "]";
    }
}
