package io.mnemo.promql.ast;

import java.nio.charset.StandardCharsets;

/**
 * Formats an expression over several indented lines when it is longer than 100 characters, the
 * way Prometheus's {@code format_query} endpoint does; shorter nodes stay on one line.
 */
public final class Prettier {
    private static final int MAX_LINE = 100;
    private static final String INDENT = "  ";

    private final int maxLine;

    private Prettier(int maxLine) { this.maxLine = maxLine; }

    public static String format(Expr e) { return format(e, MAX_LINE); }

    /** Formats with nodes longer than {@code maxLine} bytes split over several lines. */
    public static String format(Expr e, int maxLine) { return new Prettier(maxLine).pretty(e, 0); }

    private String pretty(Expr e, int level) {
        if (e instanceof AggregateExpr a) {
            if (!needsSplit(a)) return indent(level) + a;
            StringBuilder sb = new StringBuilder(indent(level));
            Printer.writeAggregateHead(sb, a);
            sb.append("(\n");
            if (a.param() != null) sb.append(pretty(a.param(), level + 1)).append(",\n");
            return sb.append(pretty(a.expr(), level + 1)).append('\n').append(indent(level)).append(')').toString();
        }
        if (e instanceof BinaryExpr b) {
            if (!needsSplit(b)) return indent(level) + b;
            StringBuilder op = new StringBuilder();
            Printer.writeOperator(op, b);
            return pretty(b.lhs(), level + 1) + "\n" + indent(level) + op + "\n" + pretty(b.rhs(), level + 1);
        }
        if (e instanceof Call c) {
            if (!needsSplit(c)) return indent(level) + c;
            StringBuilder sb = new StringBuilder(indent(level)).append(c.function().name()).append("(\n");
            for (int i = 0; i < c.args().size(); i++) {
                if (i > 0) sb.append(",\n");
                sb.append(pretty(c.args().get(i), level + 1));
            }
            return sb.append('\n').append(indent(level)).append(')').toString();
        }
        if (e instanceof ParenExpr p) {
            if (!needsSplit(p)) return indent(level) + p;
            return indent(level) + "(\n" + pretty(p.expr(), level + 1) + "\n" + indent(level) + ")";
        }
        if (e instanceof SubqueryExpr s) {
            // Like Prometheus: an unsplit subquery is not indented.
            if (!needsSplit(s)) return s.toString();
            StringBuilder suffix = new StringBuilder();
            Printer.writeSubquerySuffix(suffix, s);
            return pretty(s.expr(), level) + suffix;
        }
        if (e instanceof UnaryExpr u) {
            return indent(level) + u.op().symbol() + pretty(u.expr(), level).strip();
        }
        if (e instanceof DurationExpr d) return d.toString();
        return indent(level) + e;
    }

    private boolean needsSplit(Expr e) {
        return e.toString().getBytes(StandardCharsets.UTF_8).length > maxLine;
    }

    private static String indent(int level) { return INDENT.repeat(level); }
}
