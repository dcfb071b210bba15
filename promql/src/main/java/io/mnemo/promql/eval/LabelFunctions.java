package io.mnemo.promql.eval;

import io.mnemo.promql.EvaluationException;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.text.LabelNames;
import io.mnemo.tsdb.Labels;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** label_replace and label_join: they change series labels, never values or timestamps. */
final class LabelFunctions {
    private LabelFunctions() {}

    /** Prometheus 3's UTF-8 rule: any non-empty valid UTF-8 name. */
    static boolean isValidLabelName(String name) {
        return LabelNames.isValid(name);
    }

    static List<StepSeries> labelReplace(Evaluator ev, List<Expr> args) {
        String dst = Evaluator.stringArg(args.get(1));
        String replacement = Evaluator.stringArg(args.get(2));
        String src = Evaluator.stringArg(args.get(3));
        String regex = Evaluator.stringArg(args.get(4));
        Pattern pattern;
        try {
            pattern = Pattern.compile("^(?s:" + GoRegex.toJava(regex) + ")$");
        } catch (PatternSyntaxException e) {
            throw new EvaluationException("invalid regular expression in label_replace(): " + regex);
        }
        if (!isValidLabelName(dst)) throw new EvaluationException("invalid destination label name in label_replace(): " + dst);
        List<StepSeries> in = ev.eval(args.get(0));
        for (StepSeries s : in) {
            Matcher m = pattern.matcher(s.labels.get(src));
            if (!m.matches()) continue;
            String value = expand(replacement, m, ev.q.labelCharsLeft());
            ev.q.takeLabelChars(value.length());
            s.labels = s.labels.toBuilder().set(dst, value).build();
            if (dst.equals(Labels.METRIC_NAME)) s.dropName = false;
        }
        return ev.mergeSameLabels(in);
    }

    static List<StepSeries> labelJoin(Evaluator ev, List<Expr> args) {
        String dst = Evaluator.stringArg(args.get(1));
        String separator = Evaluator.stringArg(args.get(2));
        String[] sources = new String[args.size() - 3];
        for (int i = 3; i < args.size(); i++) {
            sources[i - 3] = Evaluator.stringArg(args.get(i));
            if (!isValidLabelName(sources[i - 3])) {
                throw new EvaluationException("invalid source label name in label_join(): " + sources[i - 3]);
            }
        }
        if (!isValidLabelName(dst)) throw new EvaluationException("invalid destination label name in label_join(): " + dst);
        List<StepSeries> in = ev.eval(args.get(0));
        StringBuilder sb = new StringBuilder();
        for (StepSeries s : in) {
            long length = (long) separator.length() * Math.max(0, sources.length - 1);
            for (String source : sources) length += s.labels.get(source).length();
            ev.q.takeLabelChars(length);
            sb.setLength(0);
            for (int i = 0; i < sources.length; i++) {
                if (i > 0) sb.append(separator);
                sb.append(s.labels.get(sources[i]));
            }
            s.labels = s.labels.toBuilder().set(dst, sb.toString()).build();
            if (dst.equals(Labels.METRIC_NAME)) s.dropName = false;
        }
        return ev.mergeSameLabels(in);
    }

    /**
     * Go's {@code Regexp.Expand}: {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}} insert
     * the group (the longest run of letters, digits and underscores names it, so {@code $1x} is the
     * group "1x"); missing groups insert nothing; {@code $$} is a dollar. Stops with the sample
     * limit's error once the result is longer than {@code maxChars}: a template repeating a group
     * makes a value far longer than itself.
     */
    static String expand(String template, Matcher m, long maxChars) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = template.length();
        while (i < n) {
            if (out.length() > maxChars) throw QueryContext.tooManySamples();
            char c = template.charAt(i);
            if (c != '$' || i + 1 >= n) {
                out.append(c);
                i++;
                continue;
            }
            char next = template.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            String name;
            int after;
            if (next == '{') {
                int close = template.indexOf('}', i + 2);
                name = close < 0 ? null : template.substring(i + 2, close);
                if (name == null || name.isEmpty() || !isWord(name)) {
                    out.append(c);
                    i++;
                    continue;
                }
                after = close + 1;
            } else {
                int j = i + 1;
                while (j < n && isWordChar(template.charAt(j))) j++;
                if (j == i + 1) {
                    out.append(c);
                    i++;
                    continue;
                }
                name = template.substring(i + 1, j);
                after = j;
            }
            out.append(group(m, name));
            i = after;
        }
        return out.toString();
    }

    private static String group(Matcher m, String name) {
        boolean numeric = true;
        for (int k = 0; k < name.length(); k++) numeric &= Character.isDigit(name.charAt(k));
        try {
            String g;
            if (numeric) {
                if (name.length() > 9) return "";
                int idx = Integer.parseInt(name);
                if (idx > m.groupCount()) return "";
                g = m.group(idx);
            } else {
                g = m.group(name);
            }
            return g == null ? "" : g;
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static boolean isWord(String s) {
        for (int k = 0; k < s.length(); k++) if (!isWordChar(s.charAt(k))) return false;
        return true;
    }

    private static boolean isWordChar(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
