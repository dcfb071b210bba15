package io.mnemo.actors.distributor;

import io.mnemo.tsdb.Utf8;
import java.nio.charset.StandardCharsets;

/**
 * The distributor's checks of a metric metadata entry, after Mimir's ({@code cleanAndValidateMetadata}
 * in {@code pkg/distributor/validate.go}): a family name is required, it must be a name (valid
 * UTF-8, Prometheus 3's scheme) no longer than {@code max-metadata-length}, and so must the unit;
 * a longer HELP is not refused but cut to the limit, at a character boundary ({@link #helpLength}).
 * Works on the byte ranges of a {@link MetadataEntry} (a 1.0 {@link MetadataReader} entry, or a 2.0
 * series' metadata); allocates only for a rejection's message.
 * Stateless.
 */
public final class MetadataValidator {
    private MetadataValidator() {}

    /** Why the entry is refused under a length limit, or null when it is accepted. */
    public static DiscardReason validate(MetadataEntry md, int maxLength) {
        if (md.familyLength() == 0) return DiscardReason.METADATA_MISSING_METRIC_NAME;
        if (!Utf8.isValid(md.buffer(), md.familyOffset(), md.familyLength())) return DiscardReason.METADATA_INVALID_METRIC_NAME;
        if (md.familyLength() > maxLength) return DiscardReason.METADATA_METRIC_NAME_TOO_LONG;
        if (md.unitLength() > maxLength) return DiscardReason.METADATA_UNIT_TOO_LONG;
        return null;
    }

    /**
     * How many bytes of the HELP to keep: all of it up to the limit, else the longest prefix of at
     * most {@code maxLength} bytes that ends before a character (Mimir truncates likewise).
     */
    public static int helpLength(MetadataEntry md, int maxLength) {
        int len = md.helpLength();
        if (len <= maxLength) return len;
        byte[] b = md.buffer();
        int cut = maxLength;
        while (cut > 0 && (b[md.helpOffset() + cut] & 0xC0) == 0x80) cut--; // not inside a character
        return cut;
    }

    /** The refusal of the entry for {@code reason}, with a message naming the family. */
    public static Rejection rejection(MetadataEntry md, DiscardReason reason, int maxLength) {
        String family = snippet(md.buffer(), md.familyOffset(), md.familyLength());
        String id = reason.errorId();
        String raise = ". To accept such metadata, raise " + PushLimits.MAX_METADATA_LENGTH + " or ask your service administrator.";
        String message = switch (reason) {
            case METADATA_MISSING_METRIC_NAME -> "received a metric metadata with no metric name (" + id + ")";
            case METADATA_INVALID_METRIC_NAME -> "received a metric metadata whose metric name is not valid UTF-8: '"
                    + family + "' (invalid bytes shown as \uFFFD) (" + id + ")";
            case METADATA_METRIC_NAME_TOO_LONG -> "received a metric metadata whose metric name of " + md.familyLength()
                    + " bytes is longer than the limit of " + maxLength + ", metric name: '" + family + "' (" + id + ")" + raise;
            case METADATA_UNIT_TOO_LONG -> "received a metric metadata whose unit of " + md.unitLength()
                    + " bytes is longer than the limit of " + maxLength + ", unit: '"
                    + snippet(md.buffer(), md.unitOffset(), md.unitLength()) + "' metric name: '" + family + "' (" + id + ")"
                    + raise;
            default -> throw new IllegalArgumentException(reason + " is not a metadata rule");
        };
        return new Rejection(reason, message);
    }

    private static String snippet(byte[] b, int off, int len) {
        int chars = SeriesValidator.TEXT_CHARS;
        String text = new String(b, off, Math.min(len, chars * 4), StandardCharsets.UTF_8);
        return text.length() > chars ? text.substring(0, chars) + '\u2026' : text;
    }
}
