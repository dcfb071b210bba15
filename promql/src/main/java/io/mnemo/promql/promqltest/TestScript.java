package io.mnemo.promql.promqltest;

import io.mnemo.promql.parser.Literals;
import io.mnemo.promql.parser.Parser;
import io.mnemo.promql.parser.ParserOptions;
import io.mnemo.promql.text.PromDurations;
import io.mnemo.tsdb.Labels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Prometheus PromQL test script (the {@code .test} files of promql/promqltest): {@code load}
 * blocks of series, {@code clear}, and {@code eval} commands with their expected results. Parts this
 * loader does not understand (start timestamps) mark the affected commands unsupported instead
 * of failing the whole script.
 */
public final class TestScript {
    private static final Pattern LOAD = Pattern.compile("^load(?:_(with_nhcb))?\\s+(.+?)$");
    private static final Pattern EVAL_INSTANT =
            Pattern.compile("^eval(?:_(fail|warn|ordered|info))?\\s+instant\\s+(?:at\\s+(.+?))?\\s+(.+)$");
    private static final Pattern EVAL_RANGE =
            Pattern.compile("^eval(?:_(fail|warn|info))?\\s+range\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+?)\\s+(.+)$");
    private static final Pattern EXPECT =
            Pattern.compile("^expect\\s+(ordered|fail|warn|no_warn|info|no_info)(?:\\s+(regex|msg):(.+))?$");
    private static final Pattern EXPECT_RANGE =
            Pattern.compile("^expect range vector\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+)$");
    private static final String EXPECT_STRING = "expect string";

    private static final Parser METRIC_PARSER = new Parser(ParserOptions.ALL);

    /** A command of the script. {@code line} is 1-based. */
    public sealed interface Command permits Load, Clear, Eval {
        int line();
    }

    /**
     * Series to add; {@code withNhcb} ({@code load_with_nhcb}) also adds classic histograms as native
     * histograms with custom buckets; {@code unsupported} names what could not be loaded (left out).
     */
    public record Load(int line, long intervalMillis, List<LoadedSeries> series, boolean withNhcb, String unsupported)
            implements Command {}

    public record LoadedSeries(Labels labels, SeriesValues values) {}

    public record Clear(int line) implements Command {}

    /** The expected values of one result series and its position in the expected list (1-based). */
    public record ExpectedSeries(Labels labels, SeriesValues values, int position) {}

    /**
     * One evaluation. An instant eval runs at {@code start} (== {@code end}, step 0). Exactly one kind
     * of expectation applies: a failure, a scalar, a string, or a set of series (possibly empty).
     * {@code warn} and {@code info} ({@code eval_warn}, {@code eval_info}) ask for at least one
     * annotation of that kind; {@code annotations} are the {@code expect warn|info|no_warn|no_info} lines.
     */
    public record Eval(int line, String expr, boolean instant, long start, long end, long step,
                       boolean fail, String failMessage, Pattern failPattern, boolean ordered,
                       Double expectedScalar, String expectedString, Map<Labels, ExpectedSeries> expected,
                       boolean expectRangeVector, String unsupported, boolean warn, boolean info,
                       List<ExpectedAnnotation> annotations) implements Command {
        /** The evaluation time of an instant eval. */
        public long time() { return end; }

        /** Whether an instant eval is not also checked as a range query around its time. */
        public boolean excludedFromRangeQuery() { return expectRangeVector || expectedString != null; }

        public List<ExpectedAnnotation> annotations(AnnotationKind kind) {
            return annotations.stream().filter(a -> a.kind() == kind).toList();
        }
    }

    public enum AnnotationKind { WARN, NO_WARN, INFO, NO_INFO }

    /** An {@code expect warn|info} line: matches an annotation by exact message or by regex (any when neither). */
    public record ExpectedAnnotation(AnnotationKind kind, String message, Pattern regex) {
        public boolean matches(String annotation) {
            if (regex != null) return regex.matcher(annotation).find();
            if (message != null) return message.equals(annotation);
            return true;
        }

        @Override
        public String toString() { return regex != null ? regex.pattern() : message; }
    }

    private final List<Command> commands;

    private TestScript(List<Command> commands) {
        this.commands = List.copyOf(commands);
    }

    public List<Command> commands() { return commands; }

    public List<Eval> evals() {
        List<Eval> out = new ArrayList<>();
        for (Command c : commands) if (c instanceof Eval e) out.add(e);
        return out;
    }

    /** @throws IllegalArgumentException naming the line of a command that cannot be parsed */
    public static TestScript parse(String text) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            lines[i] = l.startsWith("#") ? "" : l;
        }
        List<Command> commands = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.isEmpty()) continue;
            String word = l.split("[\\t ]+", 2)[0].toLowerCase();
            int[] next = {i};
            try {
                if (word.equals("clear")) commands.add(new Clear(i + 1));
                else if (word.startsWith("load")) commands.add(parseLoad(lines, next));
                else if (word.startsWith("eval")) commands.add(parseEval(lines, next));
                else throw new IllegalArgumentException("invalid command " + l);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage(), e);
            }
            i = next[0];
        }
        return new TestScript(commands);
    }

    private static Load parseLoad(String[] lines, int[] cursor) {
        int i = cursor[0];
        int line = i + 1;
        Matcher m = LOAD.matcher(lines[i]);
        if (!m.matches()) throw new IllegalArgumentException("invalid load command, want load <step:duration>");
        boolean withNhcb = m.group(1) != null;
        String unsupported = null;
        long interval = PromDurations.parseMillis(m.group(2));
        List<LoadedSeries> series = new ArrayList<>();
        while (i + 1 < lines.length && !lines[i + 1].isEmpty()) {
            i++;
            String def = lines[i];
            if (def.matches("^[^\\s{]*(\\{.*})?@st\\s.*")) {
                unsupported = "start timestamps (@st)";
                continue;
            }
            series.add(parseSeries(def));
        }
        cursor[0] = i;
        return new Load(line, interval, series, withNhcb, unsupported);
    }

    private static Eval parseEval(String[] lines, int[] cursor) {
        int i = cursor[0];
        int line = i + 1;
        Matcher instant = EVAL_INSTANT.matcher(lines[i]);
        Matcher range = EVAL_RANGE.matcher(lines[i]);
        boolean isInstant = instant.matches();
        if (!isInstant && !range.matches()) {
            throw new IllegalArgumentException("invalid evaluation command, want 'eval[_fail|_warn|_ordered] instant "
                    + "[at <offset:duration>] <query>' or 'eval[_fail|_warn] range from <from> to <to> step <step> <query>'");
        }
        String mod = isInstant ? instant.group(1) : range.group(1);
        String expr = isInstant ? instant.group(3) : range.group(5);
        long start;
        long end;
        long step;
        if (isInstant) {
            start = end = PromDurations.parseMillis(instant.group(2) == null ? "" : instant.group(2));
            step = 0;
        } else {
            start = PromDurations.parseMillis(range.group(2));
            end = PromDurations.parseMillis(range.group(3));
            step = PromDurations.parseMillis(range.group(4));
        }
        boolean fail = "fail".equals(mod);
        boolean ordered = "ordered".equals(mod);
        boolean warn = "warn".equals(mod);
        boolean info = "info".equals(mod);
        List<ExpectedAnnotation> annotations = new ArrayList<>();
        String failMessage = null;
        Pattern failPattern = null;
        Double scalar = null;
        String string = null;
        boolean expectRange = false;
        String unsupported = null;
        Map<Labels, ExpectedSeries> expected = new LinkedHashMap<>();
        int position = 0;
        while (i + 1 < lines.length && !lines[i + 1].isEmpty()) {
            i++;
            String def = lines[i];
            if (fail && def.startsWith("expected_fail_message")) {
                failMessage = def.substring("expected_fail_message".length()).strip();
                break;
            }
            if (fail && def.startsWith("expected_fail_regexp")) {
                failPattern = Pattern.compile(def.substring("expected_fail_regexp".length()).strip());
                break;
            }
            Matcher rangeVector = EXPECT_RANGE.matcher(def);
            if (rangeVector.matches()) {
                start = PromDurations.parseMillis(rangeVector.group(1).strip());
                end = PromDurations.parseMillis(rangeVector.group(2).strip());
                step = PromDurations.parseMillis(rangeVector.group(3).strip());
                expectRange = true;
                continue;
            }
            if (def.startsWith(EXPECT_STRING)) {
                string = Literals.unquote(def.substring(EXPECT_STRING.length()).strip());
                continue;
            }
            if (def.split(" ")[0].equals("expect")) {
                Matcher e = EXPECT.matcher(def);
                if (!e.matches()) throw new IllegalArgumentException("invalid expect statement " + def);
                switch (e.group(1)) {
                    case "ordered" -> ordered = true;
                    case "fail" -> {
                        fail = true;
                        if ("msg".equals(e.group(2))) failMessage = e.group(3).strip();
                        else if ("regex".equals(e.group(2))) failPattern = Pattern.compile(e.group(3).strip());
                    }
                    default -> {
                        AnnotationKind kind = AnnotationKind.valueOf(e.group(1).toUpperCase(java.util.Locale.ROOT));
                        String message = "msg".equals(e.group(2)) ? e.group(3).strip() : null;
                        Pattern regex = "regex".equals(e.group(2)) ? Pattern.compile(e.group(3).strip()) : null;
                        annotations.add(new ExpectedAnnotation(kind, message, regex));
                    }
                }
                continue;
            }
            Double number = parseNumberOrNull(def);
            if (number != null) {
                scalar = number;
                break;
            }
            LoadedSeries s = parseSeries(def);
            expected.put(s.labels(), new ExpectedSeries(s.labels(), s.values(), ++position));
        }
        cursor[0] = i;
        return new Eval(line, expr, isInstant, start, end, step, fail, failMessage, failPattern, ordered, scalar, string,
                expected, expectRange, unsupported, warn, info, annotations);
    }

    private static Double parseNumberOrNull(String s) {
        try {
            return Literals.parseNumber(s.startsWith("-") ? s.substring(1) : s) * (s.startsWith("-") ? -1 : 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code metric{labels} values...}: the metric ends at the first blank outside its braces. */
    static LoadedSeries parseSeries(String def) {
        int end = metricEnd(def);
        Labels labels = METRIC_PARSER.parseMetric(def.substring(0, end));
        return new LoadedSeries(labels, SeriesValues.parse(def.substring(end)));
    }

    private static int metricEnd(String s) {
        boolean inBraces = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote != '`') i++;
                else if (c == quote) quote = 0;
            } else if (inBraces) {
                if (c == '"' || c == '\'' || c == '`') quote = c;
                else if (c == '}') inBraces = false;
            } else if (c == '{') {
                inBraces = true;
            } else if (c == ' ' || c == '\t') {
                return i;
            }
        }
        return s.length();
    }
}
