package io.mnemo.actors.distributor;

import io.mnemo.tsdb.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The distributor's per-series checks, after Mimir's ({@code validateLabels} in
 * {@code pkg/distributor/validate.go}): metric name present and valid, label count, label names
 * valid and not too long, label values valid UTF-8 and not too long, duplicate names. Mimir's
 * distributor sorts unsorted labels and its ingester rejects unsorted ones ({@code labels-not-sorted});
 * Mnemo forwards the series bytes unchanged, so it rejects unsorted labels here, with that reason.
 *
 * <p>Names follow Prometheus 3's UTF-8 scheme: a metric or label name is valid when it is
 * non-empty valid UTF-8 ({@code a-b}, {@code http.requests} and {@code 温度} are names; PromQL
 * quotes them, {@code {"a-b"="x"}}). ASCII is checked eight bytes at a time.
 *
 * <p>Works on a {@link RemoteWriteSeries}'s byte ranges (remote write 1.0 and 2.0 alike); nothing
 * is allocated unless the series is rejected and its message is asked for. Labels with an empty
 * value are ignored, as Mimir removes them before validating (Prometheus treats them as absent).
 * Checks run in Mimir's order and the first violation wins. Stateless and thread-safe.
 */
public final class SeriesValidator {
    public static final int DEFAULT_MAX_LABEL_NAMES_PER_SERIES = 30;
    public static final int DEFAULT_MAX_LABEL_NAME_LENGTH = 1024;
    public static final int DEFAULT_MAX_LABEL_VALUE_LENGTH = 2048;

    /** How much of a series, name or value an error message shows. */
    static final int TEXT_CHARS = 200;

    private static final byte[] METRIC_NAME = "__name__".getBytes(StandardCharsets.US_ASCII);

    private final int maxLabelNamesPerSeries;
    private final int maxLabelNameLength;
    private final int maxLabelValueLength;

    public SeriesValidator(int maxLabelNamesPerSeries, int maxLabelNameLength, int maxLabelValueLength) {
        if (maxLabelNamesPerSeries <= 0 || maxLabelNameLength <= 0 || maxLabelValueLength <= 0) {
            throw new IllegalArgumentException("validation limits must be positive");
        }
        this.maxLabelNamesPerSeries = maxLabelNamesPerSeries;
        this.maxLabelNameLength = maxLabelNameLength;
        this.maxLabelValueLength = maxLabelValueLength;
    }

    /** Mimir's defaults: 30 labels, names up to 1024 bytes, values up to 2048 bytes. */
    public static SeriesValidator withDefaults() {
        return new SeriesValidator(DEFAULT_MAX_LABEL_NAMES_PER_SERIES, DEFAULT_MAX_LABEL_NAME_LENGTH,
                DEFAULT_MAX_LABEL_VALUE_LENGTH);
    }

    /** The first rule the reader's current series breaks, or null if it is valid. */
    public DiscardReason validate(RemoteWriteSeries series) {
        long v = check(series);
        return v == 0 ? null : DiscardReason.of((int) (v >>> 32) - 1);
    }

    /** Like {@link #validate} but with the message for the client; allocates only when rejecting. */
    public Rejection rejection(RemoteWriteSeries series) {
        long v = check(series);
        if (v == 0) return null;
        DiscardReason reason = DiscardReason.of((int) (v >>> 32) - 1);
        return new Rejection(reason, message(series, reason, (int) v));
    }

    /** True when the series has no label with a non-empty value (Mimir drops such series silently). */
    public static boolean hasNoLabels(RemoteWriteSeries series) {
        for (int i = 0; i < series.labelCount(); i++) if (series.labelValueLength(i) > 0) return false;
        return true;
    }

    /** 0 when valid, else (reason ordinal + 1) in the high word and the offending label index in the low word. */
    private long check(RemoteWriteSeries s) {
        int n = s.labelCount();
        int present = 0;
        int metricName = -1;
        for (int i = 0; i < n; i++) {
            if (s.labelValueLength(i) == 0) continue;
            present++;
            if (metricName < 0 && isMetricNameLabel(s, i)) metricName = i;
        }
        if (metricName < 0) return violation(DiscardReason.MISSING_METRIC_NAME, -1);
        if (!isValidName(s.buffer(), s.labelValueOffset(metricName), s.labelValueLength(metricName))) {
            return violation(DiscardReason.INVALID_METRIC_NAME, metricName);
        }
        if (present > maxLabelNamesPerSeries) return violation(DiscardReason.MAX_LABEL_NAMES_PER_SERIES, -1);
        byte[] b = s.buffer();
        int previous = -1;
        for (int i = 0; i < n; i++) {
            int valueLength = s.labelValueLength(i);
            if (valueLength == 0) continue;
            int nameLength = s.labelNameLength(i);
            if (!isValidName(b, s.labelNameOffset(i), nameLength)) return violation(DiscardReason.INVALID_LABEL, i);
            if (nameLength > maxLabelNameLength) return violation(DiscardReason.LABEL_NAME_TOO_LONG, i);
            if (!Utf8.isValid(b, s.labelValueOffset(i), valueLength)) return violation(DiscardReason.INVALID_LABEL_VALUE, i);
            if (valueLength > maxLabelValueLength) return violation(DiscardReason.LABEL_VALUE_TOO_LONG, i);
            if (previous >= 0) {
                int c = s.compareLabelNames(previous, i);
                if (c == 0) return violation(DiscardReason.DUPLICATE_LABEL_NAMES, i);
                if (c > 0) return violation(DiscardReason.LABELS_NOT_SORTED, i);
            }
            previous = i;
        }
        return 0;
    }

    private static long violation(DiscardReason reason, int label) {
        return (long) (reason.ordinal() + 1) << 32 | (label & 0xFFFFFFFFL);
    }

    private static boolean isMetricNameLabel(RemoteWriteSeries s, int i) {
        int off = s.labelNameOffset(i);
        return s.labelNameLength(i) == METRIC_NAME.length
                && Arrays.equals(s.buffer(), off, off + METRIC_NAME.length, METRIC_NAME, 0, METRIC_NAME.length);
    }

    /** Prometheus 3's UTF-8 names: any non-empty valid UTF-8. */
    static boolean isValidName(byte[] b, int off, int len) {
        return len > 0 && Utf8.isValid(b, off, len);
    }

    private String message(RemoteWriteSeries s, DiscardReason reason, int label) {
        String series = s.seriesText(TEXT_CHARS);
        String id = reason.errorId();
        return switch (reason) {
            case MISSING_METRIC_NAME -> hasNoLabels(s)
                    ? "received a series with no labels (" + id + ")"
                    : "received a series without a metric name (no __name__ label), series: '" + series + "' (" + id + ")";
            case INVALID_METRIC_NAME -> "received a series whose metric name is not valid UTF-8: '" + value(s, label)
                    + "' (invalid bytes shown as \uFFFD), series: '" + series + "' (" + id + ")";
            case MAX_LABEL_NAMES_PER_SERIES -> "received a series with " + countPresent(s) + " labels, more than the limit of "
                    + maxLabelNamesPerSeries + ", series: '" + series + "' (" + id + ")"
                    + raiseLimit("mnemo.distributor.max-label-names-per-series");
            case INVALID_LABEL -> "received a series with an invalid label name '" + name(s, label)
                    + "', label names must be non-empty valid UTF-8 (invalid bytes shown as \uFFFD), series: '"
                    + series + "' (" + id + ")";
            case LABEL_NAME_TOO_LONG -> "received a series with a label name of " + s.labelNameLength(label)
                    + " bytes, longer than the limit of " + maxLabelNameLength + ", label: '" + name(s, label)
                    + "' series: '" + series + "' (" + id + ")" + raiseLimit("mnemo.distributor.max-label-name-length");
            case INVALID_LABEL_VALUE -> "received a series whose value of label '" + name(s, label)
                    + "' is not valid UTF-8: '" + value(s, label) + "' (invalid bytes shown as \uFFFD), series: '"
                    + series + "' (" + id + ")";
            case LABEL_VALUE_TOO_LONG -> "received a series with a value of " + s.labelValueLength(label)
                    + " bytes in label '" + name(s, label) + "', longer than the limit of " + maxLabelValueLength
                    + ", value: '" + value(s, label) + "' series: '" + series + "' (" + id + ")"
                    + raiseLimit("mnemo.distributor.max-label-value-length");
            case DUPLICATE_LABEL_NAMES -> "received a series with the label name '" + name(s, label)
                    + "' more than once, series: '" + series + "' (" + id + ")";
            case LABELS_NOT_SORTED -> "received a series whose labels are not sorted by name, '" + name(s, label)
                    + "' comes after '" + name(s, previousPresent(s, label)) + "', series: '" + series + "' (" + id
                    + "). Remote write senders must sort labels by name.";
            default -> throw new IllegalArgumentException(reason + " is not a series rule");
        };
    }

    private static String raiseLimit(String key) {
        return ". To accept such series, raise " + key + " or ask your service administrator.";
    }

    private static int countPresent(RemoteWriteSeries s) {
        int n = 0;
        for (int i = 0; i < s.labelCount(); i++) if (s.labelValueLength(i) > 0) n++;
        return n;
    }

    private static int previousPresent(RemoteWriteSeries s, int label) {
        for (int i = label - 1; i >= 0; i--) if (s.labelValueLength(i) > 0) return i;
        throw new IllegalStateException("no label before " + label);
    }

    private static String name(RemoteWriteSeries s, int i) {
        return snippet(s.buffer(), s.labelNameOffset(i), s.labelNameLength(i));
    }

    private static String value(RemoteWriteSeries s, int i) {
        return snippet(s.buffer(), s.labelValueOffset(i), s.labelValueLength(i));
    }

    private static String snippet(byte[] b, int off, int len) {
        String text = new String(b, off, Math.min(len, TEXT_CHARS * 4), StandardCharsets.UTF_8);
        return text.length() > TEXT_CHARS ? text.substring(0, TEXT_CHARS) + '\u2026' : text;
    }
}
