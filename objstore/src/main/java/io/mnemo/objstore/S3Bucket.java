package io.mnemo.objstore;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A bucket of an S3 API (Mimir's {@code s3} backend): AWS S3, or any S3-compatible store (MinIO,
 * Ceph RGW, s3proxy...) at {@link S3Config#endpoint}, addressed path-style
 * ({@code endpoint/bucket/key}) unless it is AWS. On the AWS SDK v2 with its blocking Apache
 * client; failed requests are retried by the SDK's standard retry strategy (3 attempts, jittered
 * exponential backoff, on throttling, 5xx and I/O errors).
 *
 * <p>Objects up to {@value #PART_SIZE_MIB} MiB are uploaded with one PUT; larger ones as a
 * multipart upload of {@value #PART_SIZE_MIB} MiB parts (so at most 10,000 parts, 156 GiB), which
 * S3 makes visible only when completed and which is aborted when any part fails. A stream upload
 * holds one part in memory at a time (so that a part can be sent again on a retry); a file upload
 * reads its parts from the file.
 *
 * <p>Request checksums are sent only where S3 requires them (not the SDK's default CRC32 trailer
 * on every upload, which many S3-compatible stores refuse); HTTPS, or SigV4's signed payload hash
 * over plain HTTP, protects the bytes in transit.
 */
public final class S3Bucket implements Bucket {
    private static final Logger log = LoggerFactory.getLogger(S3Bucket.class);

    static final int PART_SIZE_MIB = 16;
    /** The size of a multipart upload's parts, and the largest object uploaded with one PUT. */
    static final int PART_SIZE = PART_SIZE_MIB << 20;
    /** S3's limit on the parts of one upload. */
    static final int MAX_PARTS = 10_000;
    private static final String CONTENT_TYPE = "application/octet-stream";

    private final S3Config config;
    private final String bucket;
    private final S3Client s3;

    public S3Bucket(S3Config config) {
        this.config = config.validate();
        this.bucket = config.bucketName();
        this.s3 = client(config);
    }

    private static S3Client client(S3Config config) {
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder())
                .region(Region.of(config.signingRegion()))
                .forcePathStyle(config.pathStyle())
                .credentialsProvider(credentials(config))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy()))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (config.endpointUri() != null) b.endpointOverride(config.endpointUri());
        // No region given: let requests to an AWS bucket of another region follow S3's redirect.
        if (config.region().isEmpty() && config.endpointUri() == null) b.crossRegionAccessEnabled(true);
        return b.build();
    }

    private static AwsCredentialsProvider credentials(S3Config config) {
        if (config.accessKeyId().isEmpty()) return DefaultCredentialsProvider.builder().build();
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey()));
    }

    @Override
    public InputStream get(String name) throws IOException {
        return getRange(name, 0, -1);
    }

    @Override
    public InputStream getRange(String name, long offset, long length) throws IOException {
        ObjectNames.check(name);
        if (offset < 0) throw new IllegalArgumentException("negative offset: " + offset);
        if (length <= 0 && length != -1) throw new IllegalArgumentException("length must be positive or -1: " + length);
        GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(bucket).key(name);
        if (offset > 0 || length > 0) {
            req.range("bytes=" + offset + "-" + (length > 0 ? Long.toString(offset + length - 1) : ""));
        }
        try {
            return new AbortingStream(s3.getObject(req.build()));
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                // S3 refuses any range of an empty object, which a read from 0 may ask for.
                if (offset == 0) return InputStream.nullInputStream();
                throw withCause(new InvalidRangeException(this, name, offset, -1), e);
            }
            throw failure("get", name, e);
        } catch (SdkException e) {
            throw failure("get", name, e);
        }
    }

    @Override
    public void upload(String name, InputStream in, long length) throws IOException {
        ObjectNames.check(name);
        checkSize(name, length);
        LengthCheckedInputStream checked = new LengthCheckedInputStream(in, length);
        if (length <= PART_SIZE) {
            byte[] buf = new byte[(int) length];
            checked.readFully(buf, buf.length);
            checked.requireEnd();
            put(name, RequestBody.fromContentProvider(bytes(buf, buf.length), length, CONTENT_TYPE));
            return;
        }
        byte[] buf = new byte[PART_SIZE];
        uploadParts(name, length, (part, offset, size) -> {
            if (checked.readFully(buf, size) != size) throw new IOException("upload stream ended early"); // checked throws first
            if (offset + size == length) checked.requireEnd();
            return bytes(buf, size);
        });
    }

    @Override
    public void upload(String name, Path file) throws IOException {
        ObjectNames.check(name);
        long length = Files.size(file);
        checkSize(name, length);
        if (length <= PART_SIZE) {
            put(name, RequestBody.fromFile(file));
            return;
        }
        uploadParts(name, length, (part, offset, size) -> () -> {
            try {
                return FileRangeInputStream.open(file, offset, size);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private void checkSize(String name, long length) throws IOException {
        if (length < 0) throw new IllegalArgumentException("upload length is negative: " + length);
        if (length > (long) PART_SIZE * MAX_PARTS) {
            throw new IOException("cannot upload " + name + " to " + describe() + ": " + length + " bytes is more than "
                    + MAX_PARTS + " parts of " + PART_SIZE_MIB + " MiB");
        }
    }

    private void put(String name, RequestBody body) throws IOException {
        try {
            s3.putObject(r -> r.bucket(bucket).key(name).contentType(CONTENT_TYPE), body);
        } catch (SdkException e) {
            throw failure("upload", name, e);
        }
    }

    /** The bytes of part {@code part}, which covers [offset, offset + size) of the object. */
    @FunctionalInterface
    private interface PartSource {
        ContentStreamProvider part(int part, long offset, int size) throws IOException;
    }

    /** A multipart upload: visible once completed, aborted (its parts dropped) on any failure. */
    private void uploadParts(String name, long length, PartSource source) throws IOException {
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(name).contentType(CONTENT_TYPE)).uploadId();
        } catch (SdkException e) {
            throw failure("upload", name, e);
        }
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0; offset < length; offset += PART_SIZE) {
                int number = parts.size() + 1;
                int size = (int) Math.min(PART_SIZE, length - offset);
                RequestBody body = RequestBody.fromContentProvider(source.part(number, offset, size), size, CONTENT_TYPE);
                String etag = s3.uploadPart(r -> r.bucket(bucket).key(name).uploadId(uploadId).partNumber(number)
                        .contentLength((long) size), body).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            s3.completeMultipartUpload(r -> r.bucket(bucket).key(name).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (IOException | RuntimeException e) {
            abort(name, uploadId, e);
            if (e instanceof SdkException sdk) throw failure("upload", name, sdk);
            throw e;
        }
    }

    private void abort(String name, String uploadId, Exception failure) {
        try {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(name).uploadId(uploadId));
        } catch (SdkException e) {
            // The store drops the parts later if a lifecycle rule says so; the object is not there either way.
            log.warn("Could not abort the failed multipart upload {} of {} in {}: {}", uploadId, name, describe(), e.toString());
            failure.addSuppressed(e);
        }
    }

    private static ContentStreamProvider bytes(byte[] buf, int size) {
        return () -> new ByteArrayInputStream(buf, 0, size);
    }

    @Override
    public void delete(String name) throws IOException {
        // S3 answers a delete of a missing key with success; Thanos's contract wants an error.
        head(name, "delete");
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(name));
        } catch (SdkException e) {
            throw failure("delete", name, e);
        }
    }

    @Override
    public void iter(String dir, boolean recursive, Consumer<String> f) throws IOException {
        String prefix = ObjectNames.dirPrefix(dir);
        ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
        if (!recursive) req.delimiter(String.valueOf(ObjectNames.DELIMITER));
        String token = null;
        do {
            ListObjectsV2Response page;
            try {
                page = s3.listObjectsV2(req.continuationToken(token).build());
            } catch (SdkException e) {
                throw failure("list", prefix, e);
            }
            // A page covers a range of keys; its objects and its prefixes (each at the place of its
            // first key) are listed apart, and merge into that range's order. Sorted again in any
            // case: some S3-compatible stores order keys as Java strings, not as UTF-8 bytes (they
            // differ only for code points above U+E000), so each page of 1,000 at least is in order.
            List<String> names = new ArrayList<>(page.contents().size() + page.commonPrefixes().size());
            for (S3Object o : page.contents()) {
                // Keys ending in '/' are "directory markers" other tools write, not objects.
                if (!o.key().endsWith("/")) names.add(o.key());
            }
            for (CommonPrefix p : page.commonPrefixes()) names.add(p.prefix());
            names.sort(ObjectNames.ORDER);
            names.forEach(f);
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
    }

    @Override
    public boolean exists(String name) throws IOException {
        try {
            head(name, "exists");
            return true;
        } catch (ObjectNotFoundException e) {
            return false;
        }
    }

    @Override
    public ObjectAttributes attributes(String name) throws IOException {
        HeadObjectResponse h = head(name, "attributes");
        return new ObjectAttributes(h.contentLength(), h.lastModified());
    }

    private HeadObjectResponse head(String name, String op) throws IOException {
        ObjectNames.check(name);
        try {
            return s3.headObject(r -> r.bucket(bucket).key(name));
        } catch (SdkException e) {
            throw failure(op, name, e);
        }
    }

    @Override
    public String describe() {
        return "s3 bucket " + bucket + " at " + (config.endpoint().isEmpty() ? "AWS " + config.signingRegion() : config.endpoint());
    }

    @Override
    public void close() {
        s3.close();
    }

    @Override
    public String toString() {
        return describe();
    }

    /** An SDK failure as an IOException; a missing key as {@link ObjectNotFoundException}. */
    private IOException failure(String op, String name, SdkException e) {
        if (e instanceof NoSuchKeyException
                || (e instanceof S3Exception s && s.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(s)))) {
            return withCause(new ObjectNotFoundException(this, name), e);
        }
        return new IOException(op + " " + name + " in " + describe() + ": " + e.getMessage(), e);
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static <T extends IOException> T withCause(T e, Throwable cause) {
        e.initCause(cause);
        return e;
    }

    /**
     * An object's body that, closed before its end, aborts the connection instead of reading the
     * rest to reuse it: a reader that stops early never pays for bytes it does not want.
     */
    private static final class AbortingStream extends FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> response;
        private final long length;
        private long read;

        AbortingStream(ResponseInputStream<GetObjectResponse> response) {
            super(response);
            this.response = response;
            Long contentLength = response.response().contentLength();
            this.length = contentLength == null ? Long.MAX_VALUE : contentLength;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            read += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            read += Math.max(n, 0);
            return n;
        }

        @Override
        public void close() throws IOException {
            if (read < length) response.abort();
            super.close();
        }
    }
}
