package io.mnemo.promql.ast;

import io.mnemo.promql.text.GoQuoting;
import io.mnemo.promql.text.PromDurations;
import io.mnemo.tsdb.GoFloats;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Renders an expression as PromQL on one line, in the canonical form Prometheus's
 * {@code Expr.String()} produces (so {@code format_query} and rule files read the same).
 */
public final class Printer {
    private Printer() {}

    public static String format(Expr e) {
        StringBuilder sb = new StringBuilder();
        write(sb, e);
        return sb.toString();
    }

    static void write(StringBuilder sb, Expr e) {
        if (e instanceof AggregateExpr a) {
            writeAggregateHead(sb, a);
            sb.append('(');
            if (a.param() != null) {
                write(sb, a.param());
                sb.append(", ");
            }
            write(sb, a.expr());
            sb.append(')');
        } else if (e instanceof BinaryExpr b) {
            write(sb, b.lhs());
            sb.append(' ');
            writeOperator(sb, b);
            sb.append(' ');
            write(sb, b.rhs());
        } else if (e instanceof Call c) {
            sb.append(c.function().name()).append('(');
            for (int i = 0; i < c.args().size(); i++) {
                if (i > 0) sb.append(", ");
                write(sb, c.args().get(i));
            }
            sb.append(')');
        } else if (e instanceof MatrixSelector m) {
            VectorSelector vs = m.vectorSelector();
            writeSelectorBody(sb, vs);
            sb.append('[');
            writeDuration(sb, m.rangeMillis(), m.rangeExpr());
            sb.append(']');
            if (vs.anchored()) sb.append(" anchored");
            else if (vs.smoothed()) sb.append(" smoothed");
            writeAt(sb, vs.at());
            writeOffset(sb, vs.offsetMillis(), vs.offsetExpr());
        } else if (e instanceof SubqueryExpr s) {
            write(sb, s.expr());
            writeSubquerySuffix(sb, s);
        } else if (e instanceof NumberLiteral n) {
            writeNumber(sb, n);
        } else if (e instanceof ParenExpr p) {
            sb.append('(');
            write(sb, p.expr());
            sb.append(')');
        } else if (e instanceof StringLiteral s) {
            sb.append(GoQuoting.quote(s.value()));
        } else if (e instanceof UnaryExpr u) {
            sb.append(u.op().symbol());
            write(sb, u.expr());
        } else if (e instanceof VectorSelector vs) {
            writeSelectorBody(sb, vs);
            writeAt(sb, vs.at());
            if (vs.anchored()) sb.append(" anchored");
            else if (vs.smoothed()) sb.append(" smoothed");
            writeOffset(sb, vs.offsetMillis(), vs.offsetExpr());
        } else if (e instanceof DurationExpr d) {
            writeDurationExpr(sb, d);
        } else {
            throw new IllegalArgumentException("unknown expression " + e.getClass());
        }
    }

    /** The aggregation operator with its grouping clause, as the prettier prints it before "(". */
    static void writeAggregateHead(StringBuilder sb, AggregateExpr a) {
        sb.append(a.op().keyword());
        if (a.without()) {
            sb.append(" without (");
            writeLabelNames(sb, a.grouping());
            sb.append(") ");
        } else if (!a.grouping().isEmpty()) {
            sb.append(" by (");
            writeLabelNames(sb, a.grouping());
            sb.append(") ");
        }
    }

    /** The operator with its bool and vector matching modifiers. */
    static void writeOperator(StringBuilder sb, BinaryExpr b) {
        sb.append(b.op().symbol());
        if (b.returnBool()) sb.append(" bool");
        VectorMatching vm = b.matching();
        if (vm == null) return;
        boolean grouped = vm.cardinality() == VectorMatching.Cardinality.MANY_TO_ONE
                || vm.cardinality() == VectorMatching.Cardinality.ONE_TO_MANY;
        if (!vm.matchingLabels().isEmpty() || vm.on() || grouped) {
            sb.append(vm.on() ? " on (" : " ignoring (");
            writeLabelNames(sb, vm.matchingLabels());
            sb.append(')');
        }
        if (grouped) {
            sb.append(vm.cardinality() == VectorMatching.Cardinality.MANY_TO_ONE ? " group_left (" : " group_right (");
            writeLabelNames(sb, vm.include());
            sb.append(')');
        }
        if (vm.fillLeft() != null && vm.fillRight() != null && vm.fillLeft().equals(vm.fillRight())) {
            sb.append(" fill (").append(GoFloats.formatV(vm.fillLeft())).append(')');
        } else {
            if (vm.fillLeft() != null) sb.append(" fill_left (").append(GoFloats.formatV(vm.fillLeft())).append(')');
            if (vm.fillRight() != null) sb.append(" fill_right (").append(GoFloats.formatV(vm.fillRight())).append(')');
        }
    }

    static void writeSubquerySuffix(StringBuilder sb, SubqueryExpr s) {
        sb.append('[');
        writeDuration(sb, s.rangeMillis(), s.rangeExpr());
        sb.append(':');
        if (s.stepMillis() != 0) sb.append(PromDurations.format(s.stepMillis()));
        else if (s.stepExpr() != null) writeDurationExpr(sb, s.stepExpr());
        sb.append(']');
        writeAt(sb, s.at());
        writeOffset(sb, s.offsetMillis(), s.offsetExpr());
    }

    private static void writeLabelNames(StringBuilder sb, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) sb.append(", ");
            String n = names.get(i);
            sb.append(isLegacyLabelName(n) ? n : GoQuoting.quote(n));
        }
    }

    private static void writeSelectorBody(StringBuilder sb, VectorSelector vs) {
        List<String> matchers = new ArrayList<>(vs.matchers().size());
        for (LabelMatcher m : vs.matchers()) {
            // The name written before the braces prints there, not as a matcher.
            if (m.name().equals(Labels.METRIC_NAME) && m.type() == LabelMatcher.Type.EQUAL
                    && m.value().equals(vs.name()) && !m.value().isEmpty()) continue;
            matchers.add(formatMatcher(m));
        }
        sb.append(vs.name());
        if (!matchers.isEmpty()) {
            Collections.sort(matchers);
            sb.append('{').append(String.join(",", matchers)).append('}');
        }
    }

    /** A matcher as Prometheus prints it: the name quoted unless it is a plain identifier. */
    public static String formatMatcher(LabelMatcher m) {
        String name = isLegacyLabelName(m.name()) ? m.name() : GoQuoting.quote(m.name());
        return name + m.type().symbol + GoQuoting.quote(m.value());
    }

    private static void writeAt(StringBuilder sb, At at) {
        if (at == null) return;
        switch (at.kind()) {
            case TIMESTAMP -> sb.append(" @ ")
                    .append(BigDecimal.valueOf(at.timestampMillis()).movePointLeft(3).setScale(3).toPlainString());
            case START -> sb.append(" @ start()");
            case END -> sb.append(" @ end()");
        }
    }

    private static void writeOffset(StringBuilder sb, long offsetMillis, DurationExpr offsetExpr) {
        if (offsetExpr != null) {
            sb.append(" offset ");
            writeDurationExpr(sb, offsetExpr);
        } else if (offsetMillis > 0) {
            sb.append(" offset ").append(PromDurations.format(offsetMillis));
        } else if (offsetMillis < 0) {
            sb.append(" offset -").append(PromDurations.format(-offsetMillis));
        }
    }

    private static void writeDuration(StringBuilder sb, long millis, DurationExpr expr) {
        if (expr != null) writeDurationExpr(sb, expr);
        else sb.append(PromDurations.format(millis));
    }

    private static void writeNumber(StringBuilder sb, NumberLiteral n) {
        if (!n.duration()) {
            sb.append(GoFloats.formatPlain(n.value()));
        } else if (n.value() < 0) {
            sb.append('-').append(PromDurations.format(secondsToMillis(-n.value())));
        } else {
            sb.append(PromDurations.format(secondsToMillis(n.value())));
        }
    }

    private static long secondsToMillis(double seconds) {
        return ((long) (seconds * 1e9)) / 1_000_000L;
    }

    private static void writeDurationExpr(StringBuilder sb, DurationExpr d) {
        if (d.wrapped()) sb.append('(');
        switch (d.op()) {
            case STEP -> sb.append("step()");
            case RANGE -> sb.append("range()");
            case MIN_OF, MAX_OF -> {
                sb.append(d.op().text()).append('(');
                write(sb, d.lhs());
                sb.append(", ");
                write(sb, d.rhs());
                sb.append(')');
            }
            default -> {
                if (d.lhs() == null) {
                    // Unary: a plus is implied; only the minus prints.
                    if (d.op() == DurationExpr.Op.SUB) sb.append('-');
                    write(sb, d.rhs());
                } else {
                    write(sb, d.lhs());
                    sb.append(' ').append(d.op().text()).append(' ');
                    write(sb, d.rhs());
                }
            }
        }
        if (d.wrapped()) sb.append(')');
    }

    /** Whether a label name can be written without quotes ({@code [a-zA-Z_][a-zA-Z0-9_]*}). */
    public static boolean isLegacyLabelName(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) return false;
        }
        return true;
    }
}
