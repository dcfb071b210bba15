package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.Fixtures.sample;
import static io.mnemo.actors.distributor.Fixtures.series;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.mnemo.actors.prompb.Remote;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesValidatorTest {
    private final SeriesValidator validator = SeriesValidator.withDefaults();

    private Rejection reject(Remote.TimeSeries.Builder s) {
        WriteRequestReader r = Fixtures.single(s.addSamples(sample(1, 1)));
        Rejection rejection = validator.rejection(r);
        assertEquals(rejection == null ? null : rejection.reason(), validator.validate(r), "validate and rejection agree");
        return rejection;
    }

    private static void assertMessage(Rejection r, DiscardReason reason, String... parts) {
        assertEquals(reason, r.reason(), r.message());
        for (String part : parts) assertTrue(r.message().contains(part), "'" + part + "' in: " + r.message());
        assertTrue(r.message().contains(reason.errorId()), r.message());
    }

    @Test
    void validSeriesPass() {
        assertNull(reject(series("__name__", "http_requests_total", "job", "api")));
        assertNull(reject(series("__name__", "ns:metric:rate5m", "_private", "x", "a1_B2", "ünï ✓ \"quoted\"")));
        // Prometheus 3's UTF-8 names: any non-empty valid UTF-8 is a metric or label name.
        assertNull(reject(series("0x", "1", "__name__", "http.requests", "a-b", "x", "a:b", "y", "ünï ✓", "z")));
        assertNull(reject(series("__name__", "温度 °C")));
        // Empty values count as absent: not checked, not counted, not duplicates.
        assertNull(reject(series("0bad", "", "__name__", "m", "job", "", "job", "x", "a", "")));
    }

    @Test
    void reasonLabelsAreMimirs() {
        assertEquals("missing_metric_name", DiscardReason.MISSING_METRIC_NAME.label());
        assertEquals("metric_name_invalid", DiscardReason.INVALID_METRIC_NAME.label());
        assertEquals("label_invalid", DiscardReason.INVALID_LABEL.label());
        assertEquals("label_value_invalid", DiscardReason.INVALID_LABEL_VALUE.label());
        assertEquals("err-mnemo-labels-not-sorted", DiscardReason.LABELS_NOT_SORTED.errorId());
    }

    @Test
    void metricNameMustBePresent() {
        assertMessage(reject(series("job", "api", "instance", "h")), DiscardReason.MISSING_METRIC_NAME,
                "without a metric name", "series: '{job=\"api\", instance=\"h\"}'");
        assertMessage(reject(series("__name__", "", "job", "api")), DiscardReason.MISSING_METRIC_NAME, "{job=\"api\"}");
        Rejection none = reject(series());
        assertMessage(none, DiscardReason.MISSING_METRIC_NAME, "received a series with no labels");
        assertTrue(SeriesValidator.hasNoLabels(Fixtures.single(series("a", ""))));
    }

    /** A one-series request whose labels are raw bytes (protobuf-java refuses to build invalid UTF-8 strings). */
    private static byte[] rawSeries(byte[]... nameValues) {
        try {
            ByteArrayOutputStream series = new ByteArrayOutputStream();
            CodedOutputStream s = CodedOutputStream.newInstance(series);
            for (int i = 0; i < nameValues.length; i += 2) {
                ByteArrayOutputStream label = new ByteArrayOutputStream();
                CodedOutputStream l = CodedOutputStream.newInstance(label);
                l.writeByteArray(1, nameValues[i]);
                l.writeByteArray(2, nameValues[i + 1]);
                l.flush();
                s.writeByteArray(1, label.toByteArray());
            }
            s.writeMessage(2, sample(1, 1));
            s.flush();
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            CodedOutputStream r = CodedOutputStream.newInstance(request);
            r.writeByteArray(1, series.toByteArray());
            r.flush();
            return request.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Rejection rejectRaw(byte[]... nameValues) {
        WriteRequestReader r = Fixtures.readerAt(rawSeries(nameValues), 0);
        Rejection rejection = validator.rejection(r);
        assertEquals(rejection == null ? null : rejection.reason(), validator.validate(r), "validate and rejection agree");
        return rejection;
    }

    @Test
    void metricNameMustBeUtf8() {
        assertNull(rejectRaw(utf8("__name__"), utf8("m"), utf8("job"), utf8("x")));
        assertMessage(rejectRaw(utf8("__name__"), new byte[] {'m', (byte) 0xFF}, utf8("job"), utf8("x")),
                DiscardReason.INVALID_METRIC_NAME, "metric name is not valid UTF-8: 'm\uFFFD'", "job=\"x\"");
        assertEquals(DiscardReason.INVALID_METRIC_NAME,
                rejectRaw(utf8("__name__"), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}).reason(), "surrogate");
    }

    @Test
    void labelNamesMustBeNonEmptyUtf8() {
        assertMessage(reject(series("", "x", "__name__", "m")), DiscardReason.INVALID_LABEL,
                "invalid label name ''", "non-empty valid UTF-8", "{=\"x\", __name__=\"m\"}");
        assertMessage(rejectRaw(utf8("__name__"), utf8("m"), new byte[] {'a', (byte) 0xC0, (byte) 0x80}, utf8("x")),
                DiscardReason.INVALID_LABEL, "invalid label name 'a\uFFFD\uFFFD'");
        assertEquals(DiscardReason.INVALID_LABEL, rejectRaw(utf8("__name__"), utf8("m"), new byte[] {(byte) 0xF8}, utf8("x")).reason());
        // An empty name with an empty value is an absent label, not an invalid one.
        assertNull(reject(series("", "", "__name__", "m")));
    }

    @Test
    void labelCountIsLimited() {
        List<String> kv = new ArrayList<>(List.of("__name__", "m"));
        for (int i = 0; i < 29; i++) kv.addAll(List.of(String.format("l%02d", i), "v"));
        assertNull(reject(series(kv.toArray(String[]::new))), "30 labels is the limit");
        kv.addAll(List.of("l29", "v"));
        assertMessage(reject(series(kv.toArray(String[]::new))), DiscardReason.MAX_LABEL_NAMES_PER_SERIES,
                "with 31 labels, more than the limit of 30", "mnemo.distributor.max-label-names-per-series",
                "series: '{__name__=\"m\", l00=\"v\"");
        kv.addAll(List.of("zz", ""));
        assertEquals(DiscardReason.MAX_LABEL_NAMES_PER_SERIES, reject(series(kv.toArray(String[]::new))).reason());
        assertNull(new SeriesValidator(31, 1024, 2048).rejection(Fixtures.single(series(kv.toArray(String[]::new)))));
    }

    @Test
    void labelNameLengthIsLimited() {
        String name = "n".repeat(1025);
        assertNull(reject(series("__name__", "m", "n".repeat(1024), "x")));
        Rejection r = reject(series("__name__", "m", name, "x"));
        assertMessage(r, DiscardReason.LABEL_NAME_TOO_LONG, "label name of 1025 bytes, longer than the limit of 1024",
                "mnemo.distributor.max-label-name-length", "label: '" + "n".repeat(200) + "\u2026'");
        assertTrue(r.message().length() < 1000, "huge names are cut: " + r.message().length());
    }

    @Test
    void labelValueLengthIsLimited() {
        assertNull(reject(series("__name__", "m", "a", "v".repeat(2048))));
        // Limit in bytes, as Mimir: 1025 two-byte characters are 2050 bytes.
        Rejection r = reject(series("__name__", "m", "a", "é".repeat(1025)));
        assertMessage(r, DiscardReason.LABEL_VALUE_TOO_LONG, "value of 2050 bytes in label 'a', longer than the limit of 2048",
                "mnemo.distributor.max-label-value-length", "value: '" + "é".repeat(200) + "\u2026'");
        assertEquals(DiscardReason.LABEL_VALUE_TOO_LONG,
                new SeriesValidator(30, 1024, 10).validate(Fixtures.single(series("__name__", "m", "a", "12345678901"))));
    }

    @Test
    void labelValuesMustBeUtf8() {
        byte[][] invalid = {
            {(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, // bad lead, overlong
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // surrogate
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {'o', 'k', (byte) 0xE2, (byte) 0x82}, // truncated
        };
        for (byte[] value : invalid) {
            // protobuf-java refuses to build invalid UTF-8 strings, so the label is appended as raw bytes.
            ByteString label = ByteString.copyFrom(new byte[] {0x0A, 3, 'b', 'a', 'd', 0x12, (byte) value.length})
                    .concat(ByteString.copyFrom(value));
            ByteString series = series("__name__", "m").addSamples(sample(1, 1)).build().toByteString()
                    .concat(ByteString.copyFrom(new byte[] {0x0A, (byte) label.size()})).concat(label);
            byte[] request = ByteString.copyFrom(new byte[] {0x0A, (byte) series.size()}).concat(series).toByteArray();
            Rejection r = validator.rejection(Fixtures.readerAt(request, 0));
            assertMessage(r, DiscardReason.INVALID_LABEL_VALUE, "value of label 'bad' is not valid UTF-8", "__name__=\"m\"");
        }
        assertNull(reject(series("__name__", "m", "ok", "€ 𝄞 \u0000 \uFFFF")));
    }

    @Test
    void duplicateLabelNamesAreRejected() {
        assertMessage(reject(series("__name__", "m", "job", "a", "job", "b")), DiscardReason.DUPLICATE_LABEL_NAMES,
                "label name 'job' more than once", "{__name__=\"m\", job=\"a\", job=\"b\"}");
        assertEquals(DiscardReason.DUPLICATE_LABEL_NAMES, reject(series("__name__", "m", "__name__", "m")).reason());
    }

    @Test
    void labelsMustBeSorted() {
        assertMessage(reject(series("job", "a", "__name__", "m")), DiscardReason.LABELS_NOT_SORTED,
                "not sorted by name, '__name__' comes after 'job'", "{job=\"a\", __name__=\"m\"}");
        // Byte order: upper case sorts before lower case and '_' between them.
        assertNull(reject(series("Z", "1", "__name__", "m", "a", "1")));
        assertEquals(DiscardReason.LABELS_NOT_SORTED, reject(series("__name__", "m", "b", "1", "a", "1")).reason());
        assertNull(reject(series("__name__", "m", "a", "1", "ab", "1", "b", "1")));
        assertEquals(DiscardReason.LABELS_NOT_SORTED, reject(series("__name__", "m", "ab", "1", "a", "1")).reason());
    }

    @Test
    void checksRunInMimirsOrder() {
        // Missing metric name wins over everything, an invalid label name over its too-long value, etc.
        assertEquals(DiscardReason.MISSING_METRIC_NAME, reject(series("", "x", "a", "y")).reason());
        assertEquals(DiscardReason.INVALID_METRIC_NAME, rejectRaw(utf8("z"), utf8("1"), utf8("__name__"), new byte[] {(byte) 0xFF}).reason());
        assertEquals(DiscardReason.INVALID_LABEL, reject(series("", "v".repeat(5000), "__name__", "m")).reason());
        assertEquals(DiscardReason.LABEL_VALUE_TOO_LONG, reject(series("__name__", "m", "b", "v".repeat(5000), "a", "x")).reason());
    }

    /** Names are checked eight ASCII bytes at a time; every non-ASCII byte at every position is still seen. */
    @Test
    void invalidUtf8IsFoundAnywhereInALongName() {
        for (int at = 0; at < 20; at++) {
            byte[] name = utf8("n".repeat(20));
            name[at] = (byte) 0x80;
            assertEquals(DiscardReason.INVALID_LABEL, rejectRaw(utf8("__name__"), utf8("m"), name, utf8("x")).reason(), "at " + at);
        }
    }
}
