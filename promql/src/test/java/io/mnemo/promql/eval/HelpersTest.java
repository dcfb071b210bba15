package io.mnemo.promql.eval;

import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small pieces Prometheus compatibility depends on: hashing, ordering, regexes, templates, quantiles. */
class HelpersTest {
    @Test
    void xxhash64MatchesTheReferenceVectors() {
        assertEquals(0xEF46DB3751D8E999L, LabelsHash.xxhash64(new byte[0]));
        assertEquals(0xD24EC4F1A98C6E5BL, LabelsHash.xxhash64("a".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0x44BC2CF5AD770999L, LabelsHash.xxhash64("abc".getBytes(StandardCharsets.UTF_8)));
        // Longer than one 32-byte stripe.
        assertEquals(0xFBCEA83C8A378BF1L, LabelsHash.xxhash64(
                "Nobody inspects the spammish repetition".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void labelsHashDependsOnEveryNameAndValue() {
        long h = LabelsHash.hash(Labels.of("__name__", "up", "job", "a"));
        assertEquals(h, LabelsHash.hash(Labels.of("job", "a", "__name__", "up")));
        assertNotEquals(h, LabelsHash.hash(Labels.of("__name__", "up", "job", "b")));
        assertNotEquals(h, LabelsHash.hash(Labels.of("__name__", "upj", "ob", "a")), "lengths are part of the encoding");
    }

    @Test
    void naturalOrderComparesDigitRunsAsNumbers() {
        assertTrue(NaturalOrder.less("a2", "a10"));
        assertFalse(NaturalOrder.less("a10", "a2"));
        assertTrue(NaturalOrder.less("a", "a1"), "a prefix sorts first");
        assertTrue(NaturalOrder.less("1.2.3", "1.10.0"));
        assertTrue(NaturalOrder.less("abc", "abd"));
        assertFalse(NaturalOrder.less("b", "a"));
    }

    @Test
    void goRegexesTranslateNamedGroupsAndLiteralBraces() {
        assertEquals("(?<name>a+)", GoRegex.toJava("(?P<name>a+)"));
        assertTrue(Pattern.compile(GoRegex.toJava("{a}")).matcher("{a}").matches());
        assertTrue(Pattern.compile(GoRegex.toJava("a{2}")).matcher("aa").matches());
        assertTrue(Pattern.compile(GoRegex.toJava("[]a]+")).matcher("]a]").matches());
    }

    @Test
    void replacementTemplatesExpandLikeGo() {
        Matcher m = Pattern.compile("(?<word>[a-z]+)-(\\d+)").matcher("abc-42");
        assertTrue(m.matches());
        assertEquals("42:abc", LabelFunctions.expand("$2:$1", m, Long.MAX_VALUE));
        assertEquals("abc42", LabelFunctions.expand("${word}${2}", m, Long.MAX_VALUE));
        assertEquals("", LabelFunctions.expand("$1x", m, Long.MAX_VALUE), "$1x names the group 1x, which does not exist");
        assertEquals("$abc", LabelFunctions.expand("$$$word", m, Long.MAX_VALUE));
        assertEquals("$", LabelFunctions.expand("$", m, Long.MAX_VALUE));
    }

    @Test
    void quantilesInterpolateBetweenRanksWithNaNFirst() {
        assertEquals(2.5, Quantiles.quantile(0.5, new double[] {4, 1, 3, 2}, 4));
        assertEquals(1, Quantiles.quantile(0, new double[] {3, 1, 2}, 3));
        assertEquals(Double.NEGATIVE_INFINITY, Quantiles.quantile(-1, new double[] {1}, 1));
        assertTrue(Double.isNaN(Quantiles.quantile(0, new double[] {2, Double.NaN}, 2)), "NaN sorts first");
        assertTrue(Double.isNaN(Quantiles.quantile(0.5, new double[0], 0)));
    }

    @Test
    void classicBucketQuantilesFixMonotonicityAndNoteIt() {
        ClassicHistograms.Buckets b = new ClassicHistograms.Buckets();
        b.add(Double.POSITIVE_INFINITY, 10);
        b.add(1, 5);
        b.add(0.5, 6); // decreasing count towards 1: fixed to 6
        ClassicHistograms.Monotonicity m = new ClassicHistograms.Monotonicity();
        // After the fix the buckets are 0.5:6, 1:6, +Inf:10; rank 6 is reached at the end of the first.
        assertEquals(0.5, ClassicHistograms.quantile(0.6, b, m));
        assertTrue(m.forced);
        assertEquals(1, m.minBucket);
        assertEquals(1, m.maxDiff);
    }

    @Test
    void classicBucketQuantileInterpolatesInsideTheBucket() {
        ClassicHistograms.Buckets b = new ClassicHistograms.Buckets();
        b.add(1, 10);
        b.add(2, 20);
        b.add(Double.POSITIVE_INFINITY, 20);
        ClassicHistograms.Monotonicity m = new ClassicHistograms.Monotonicity();
        assertEquals(1.5, ClassicHistograms.quantile(0.75, b, m));
        assertEquals(0.5, ClassicHistograms.quantile(0.25, b, m), "the first bucket starts at 0");
        assertEquals(2, ClassicHistograms.quantile(1, b, m), "the +Inf bucket answers the highest finite bound");
        assertFalse(m.forced);
        assertEquals(0.25, ClassicHistograms.fraction(0, 0.5, b));
    }
}
