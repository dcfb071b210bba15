package io.mnemo.objstore;

import java.time.Instant;

/**
 * What a bucket knows of an object besides its bytes.
 *
 * @param size         in bytes
 * @param lastModified when the current version was stored (S3 keeps whole seconds)
 */
public record ObjectAttributes(long size, Instant lastModified) {}
