package io.mnemo.promql.parser;

import io.mnemo.promql.ast.AggregateExpr;
import io.mnemo.promql.ast.AggregateOp;
import io.mnemo.promql.ast.BinaryExpr;
import io.mnemo.promql.ast.BinaryOp;
import io.mnemo.promql.ast.Call;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Exprs;
import io.mnemo.promql.ast.Function;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.ParenExpr;
import io.mnemo.promql.ast.PositionRange;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.UnaryExpr;
import io.mnemo.promql.ast.VectorMatching;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.text.GoQuoting;
import io.mnemo.promql.value.ValueType;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a syntactically valid expression the way Prometheus does after parsing (operand types,
 * argument counts, set operator and matching rules, non-empty selectors), visiting children
 * before parents so that the first error reported is the one Prometheus reports. It also
 * normalises binary expressions: set operators match many-to-many, and matching is dropped
 * unless both sides are instant vectors.
 */
final class TypeChecker {
    private final String input;

    TypeChecker(String input) {
        this.input = input;
    }

    Expr check(Expr e) {
        if (e instanceof AggregateExpr a) return checkAggregate(a);
        if (e instanceof BinaryExpr b) return checkBinary(b);
        if (e instanceof Call c) return checkCall(c);
        if (e instanceof ParenExpr p) return Exprs.mapChildren(p, this::check);
        if (e instanceof UnaryExpr u) {
            Expr inner = check(u.expr());
            ValueType t = inner.type();
            if (t != ValueType.SCALAR && t != ValueType.VECTOR) {
                throw error(u.positionRange(), "unary expression only allowed on expressions of type scalar or instant vector, got "
                        + GoQuoting.quote(t.documentedName()));
            }
            return inner == u.expr() ? u : new UnaryExpr(u.op(), inner, u.positionRange());
        }
        if (e instanceof SubqueryExpr s) {
            Expr inner = check(s.expr());
            if (inner.type() != ValueType.VECTOR) {
                throw error(s.positionRange(), "subquery is only allowed on instant vector, got " + inner.type().apiName()
                        + " instead");
            }
            return inner == s.expr() ? s : s.withExpr(inner);
        }
        if (e instanceof MatrixSelector m) {
            checkSelector(m.vectorSelector(), false);
            return m;
        }
        if (e instanceof VectorSelector vs) {
            checkSelector(vs, false);
            return vs;
        }
        return e; // literals and duration expressions
    }

    private Expr checkAggregate(AggregateExpr a) {
        Expr expr = expectType(a.expr(), ValueType.VECTOR, "aggregation expression");
        Expr param = a.param();
        if (a.op().hasParam()) param = expectType(param, a.op().paramType(), "aggregation parameter");
        return expr == a.expr() && param == a.param() ? a : a.withOperands(expr, param);
    }

    private Expr checkBinary(BinaryExpr b) {
        Expr lhs = check(b.lhs());
        Expr rhs = check(b.rhs());
        ValueType lt = lhs.type();
        ValueType rt = rhs.type();
        BinaryOp op = b.op();
        VectorMatching vm = b.matching();
        if (b.returnBool() && !op.isComparison()) {
            throw error(operatorRange(b), "bool modifier can only be used on comparison operators");
        }
        if (op.isComparison() && !b.returnBool() && lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
            throw error(operatorRange(b), "comparisons between scalars must use BOOL modifier");
        }
        if (op.isSetOperator() && vm.cardinality() == VectorMatching.Cardinality.ONE_TO_ONE) {
            vm = vm.withCardinality(VectorMatching.Cardinality.MANY_TO_MANY);
        }
        if (vm.on()) {
            for (String label : vm.matchingLabels()) {
                if (vm.include().contains(label)) {
                    throw error(operatorRange(b), "label " + GoQuoting.quote(label) + " must not occur in ON and GROUP clause at once");
                }
            }
        }
        if (lt != ValueType.SCALAR && lt != ValueType.VECTOR) {
            throw error(lhs.positionRange(), "binary expression must contain only scalar and instant vector types");
        }
        if (rt != ValueType.SCALAR && rt != ValueType.VECTOR) {
            throw error(rhs.positionRange(), "binary expression must contain only scalar and instant vector types");
        }
        if (lt != ValueType.VECTOR || rt != ValueType.VECTOR) {
            if (!vm.matchingLabels().isEmpty()) {
                throw error(b.positionRange(), "vector matching only allowed between instant vectors");
            }
            if (vm.hasFill()) throw error(b.positionRange(), "filling in missing series only allowed between instant vectors");
            vm = null;
        } else if (op.isSetOperator()) {
            if (vm.cardinality() == VectorMatching.Cardinality.ONE_TO_MANY
                    || vm.cardinality() == VectorMatching.Cardinality.MANY_TO_ONE) {
                throw error(b.positionRange(), "no grouping allowed for " + GoQuoting.quote(op.symbol()) + " operation");
            }
            if (vm.hasFill()) throw error(b.positionRange(), "filling in missing series not allowed for set operators");
        }
        if ((lt == ValueType.SCALAR || rt == ValueType.SCALAR) && op.isSetOperator()) {
            throw error(b.positionRange(), "set operator " + GoQuoting.quote(op.symbol()) + " not allowed in binary scalar expression");
        }
        return new BinaryExpr(op, lhs, rhs, vm, b.returnBool());
    }

    private Expr checkCall(Call c) {
        Function fn = c.function();
        int n = c.args().size();
        String name = GoQuoting.quote(fn.name());
        if (fn.variadic() == 0) {
            if (n != fn.argTypes().size()) {
                throw error(c.positionRange(), "expected " + fn.argTypes().size() + " argument(s) in call to " + name
                        + ", got " + n);
            }
        } else if (n < fn.minArgs()) {
            throw error(c.positionRange(), "expected at least " + fn.minArgs() + " argument(s) in call to " + name
                    + ", got " + n);
        } else if (fn.maxArgs() >= 0 && n > fn.maxArgs()) {
            throw error(c.positionRange(), "expected at most " + fn.maxArgs() + " argument(s) in call to " + name
                    + ", got " + n);
        }
        boolean infoLabels = false;
        if (fn.name().equals("info") && n > 1) {
            Expr labels = c.args().get(1);
            if (labels.type() != ValueType.VECTOR) {
                throw error(c.positionRange(), "expected type instant vector in call to function " + name + ", got "
                        + labels.type().documentedName());
            }
            if (!(labels instanceof VectorSelector vs)) throw error(labels.positionRange(), "expected label selectors only");
            if (!vs.name().isEmpty()) {
                throw error(labels.positionRange(), "expected label selectors only, got vector selector instead");
            }
            infoLabels = true;
        }
        List<Expr> args = new ArrayList<>(n);
        boolean changed = false;
        for (int i = 0; i < n; i++) {
            Expr arg = c.args().get(i);
            if (i >= fn.argTypes().size() && fn.variadic() == 0) {
                args.add(arg);
                continue;
            }
            Expr checked;
            if (infoLabels && i == 1) {
                // info()'s label selector may match every series: it filters the info metrics.
                checkSelector((VectorSelector) arg, true);
                checked = arg;
            } else {
                checked = check(arg);
            }
            ValueType want = fn.argType(i);
            if (checked.type() != want) {
                throw error(arg.positionRange(), "expected type " + want.documentedName() + " in call to function " + name
                        + ", got " + checked.type().documentedName());
            }
            changed |= checked != arg;
            args.add(checked);
        }
        return changed ? c.withArgs(args) : c;
    }

    private void checkSelector(VectorSelector vs, boolean mayMatchEverything) {
        List<LabelMatcher> matchers = vs.matchers();
        if (!vs.name().isEmpty()) {
            // The last matcher is the name written before the braces.
            for (int i = 0; i < matchers.size() - 1; i++) {
                LabelMatcher m = matchers.get(i);
                if (m.name().equals(Labels.METRIC_NAME)) {
                    throw error(vs.positionRange(), "metric name must not be set twice: " + GoQuoting.quote(vs.name())
                            + " or " + GoQuoting.quote(m.value()));
                }
            }
            return;
        }
        if (mayMatchEverything) return;
        for (LabelMatcher m : matchers) {
            if (!m.matchesEmpty()) return;
        }
        throw error(vs.positionRange(), "vector selector must contain at least one non-empty matcher");
    }

    private Expr expectType(Expr e, ValueType want, String context) {
        Expr checked = check(e);
        if (checked.type() != want) {
            throw error(e.positionRange(), "expected type " + want.documentedName() + " in " + context + ", got "
                    + checked.type().documentedName());
        }
        return checked;
    }

    /** The operator between the operands, without surrounding whitespace (end inclusive, as Prometheus). */
    private PositionRange operatorRange(BinaryExpr b) {
        int start = b.lhs().positionRange().end();
        while (start < input.length() && Lexer.isSpace(input.charAt(start))) start++;
        int end = b.rhs().positionRange().start() - 1;
        while (end > start && Lexer.isSpace(input.charAt(end))) end--;
        return new PositionRange(start, end);
    }

    private ParseException error(PositionRange range, String message) {
        return new ParseException(range, message, input);
    }
}
