package io.mnemo.actors.distributor;

/**
 * Mimir's distributor rules for an exemplar of a series whose labels are valid: it has labels, at
 * least one with a name and a value; its label names and values together have at most 128 runes
 * (OpenMetrics' limit); it has a timestamp; and it is neither newer than the creation grace
 * period allows nor too old. Too old is more than 5 minutes before its series' oldest sample in
 * the push (client libraries repeat an exemplar with every scrape until a new one comes; Mimir
 * takes the push's oldest sample, which would cost the distributor a second walk over the push)
 * or before what the past grace period allows. A tenant whose max-global-exemplars-per-user is 0
 * has every exemplar refused.
 *
 * <p>Where Mimir drops an invalid exemplar silently, Mnemo refuses it as it refuses a sample: the
 * series' samples are stored, and the push is answered 400 naming the series, the exemplar and
 * the reason. Nothing is allocated unless a message is made.
 */
final class ExemplarValidator {
    /** Most runes of an exemplar's label names and values together (OpenMetrics, Mimir's ExemplarMaxLabelSetLength). */
    static final int MAX_LABEL_SET_RUNES = 128;
    /** How much older than its series' oldest sample an exemplar may be (Mimir's 5 minutes). */
    static final long MAX_AGE_BEFORE_SAMPLES_MS = 5 * 60_000L;

    private ExemplarValidator() {}

    /**
     * Why exemplar {@code e} of the current series is refused, or null when it is accepted;
     * {@code oldestSample} is the series' oldest sample timestamp ({@link Long#MAX_VALUE}: it has none).
     */
    static DiscardReason validate(RemoteWriteSeries r, int e, PushLimits limits, long oldestSample) {
        if (!limits.exemplars()) return DiscardReason.EXEMPLARS_DISABLED;
        int n = r.exemplarLabelCount(e);
        if (n == 0) return DiscardReason.EXEMPLAR_LABELS_MISSING;
        long t = r.exemplarTimestamp(e);
        if (t == 0) return DiscardReason.EXEMPLAR_TIMESTAMP_INVALID;
        byte[] b = r.buffer();
        int runes = 0;
        boolean named = false;
        for (int k = 0; k < n; k++) {
            int nl = r.exemplarLabelNameLength(e, k);
            int vl = r.exemplarLabelValueLength(e, k);
            runes += runes(b, r.exemplarLabelNameOffset(e, k), nl) + runes(b, r.exemplarLabelValueOffset(e, k), vl);
            if (nl > 0 && vl > 0) named = true;
        }
        if (runes > MAX_LABEL_SET_RUNES) return DiscardReason.EXEMPLAR_LABELS_TOO_LONG;
        if (!named) return DiscardReason.EXEMPLAR_LABELS_BLANK;
        if (t > limits.newestTimestamp()) return DiscardReason.EXEMPLAR_TOO_FAR_IN_FUTURE;
        long oldest = oldestSample == Long.MAX_VALUE ? Long.MIN_VALUE : oldestSample - MAX_AGE_BEFORE_SAMPLES_MS;
        if (t < Math.max(oldest, limits.oldestTimestamp())) return DiscardReason.EXEMPLAR_TOO_OLD;
        return null;
    }

    /** UTF-8 code points in a byte range: every byte that does not continue a sequence starts one. */
    private static int runes(byte[] b, int off, int len) {
        int n = 0;
        for (int i = off; i < off + len; i++) if ((b[i] & 0xC0) != 0x80) n++;
        return n;
    }

    /** Mimir's message for a refused exemplar, naming the series, the exemplar's labels and the reason. */
    static Rejection rejection(RemoteWriteSeries r, int e, DiscardReason reason) {
        String at = "timestamp: " + r.exemplarTimestamp(e) + " series: " + r.seriesText(SeriesValidator.TEXT_CHARS)
                + " labels: " + r.exemplarLabelsText(e, SeriesValidator.TEXT_CHARS) + " (" + reason.errorId() + ")";
        String message = switch (reason) {
            case EXEMPLAR_LABELS_MISSING, EXEMPLAR_LABELS_BLANK -> "received an exemplar with no valid labels, " + at;
            case EXEMPLAR_TIMESTAMP_INVALID -> "received an exemplar with no timestamp, " + at;
            case EXEMPLAR_LABELS_TOO_LONG -> "received an exemplar where the size of its combined labels exceeds the limit of "
                    + MAX_LABEL_SET_RUNES + " characters, " + at;
            case EXEMPLAR_TOO_FAR_IN_FUTURE -> "received an exemplar whose timestamp is too far in the future, " + at
                    + ". To accept such exemplars, raise " + PushLimits.CREATION_GRACE_PERIOD + " or ask your service administrator.";
            case EXEMPLAR_TOO_OLD -> "received an exemplar whose timestamp is too far in the past, " + at
                    + ": exemplars more than 5 minutes older than their series' oldest sample, or older than "
                    + PushLimits.PAST_GRACE_PERIOD + " allows, are refused.";
            case EXEMPLARS_DISABLED -> "received an exemplar, but this tenant keeps none (" + PushLimits.MAX_GLOBAL_EXEMPLARS_PER_USER
                    + " is 0), " + at + ". The samples of the request are stored; raise the limit or ask your service administrator.";
            default -> throw new IllegalArgumentException("not an exemplar reason: " + reason);
        };
        return new Rejection(reason, message);
    }
}
