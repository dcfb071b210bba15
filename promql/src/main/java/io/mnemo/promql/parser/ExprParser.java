package io.mnemo.promql.parser;

import io.mnemo.promql.ast.AggregateExpr;
import io.mnemo.promql.ast.AggregateOp;
import io.mnemo.promql.ast.At;
import io.mnemo.promql.ast.BinaryExpr;
import io.mnemo.promql.ast.BinaryOp;
import io.mnemo.promql.ast.Call;
import io.mnemo.promql.ast.DurationExpr;
import io.mnemo.promql.ast.Expr;
import io.mnemo.promql.ast.Function;
import io.mnemo.promql.ast.Functions;
import io.mnemo.promql.ast.MatrixSelector;
import io.mnemo.promql.ast.NumberLiteral;
import io.mnemo.promql.ast.ParenExpr;
import io.mnemo.promql.ast.PositionRange;
import io.mnemo.promql.ast.StringLiteral;
import io.mnemo.promql.ast.SubqueryExpr;
import io.mnemo.promql.ast.UnaryExpr;
import io.mnemo.promql.ast.VectorMatching;
import io.mnemo.promql.ast.VectorSelector;
import io.mnemo.promql.text.GoQuoting;
import io.mnemo.promql.text.PromDurations;
import io.mnemo.tsdb.GoFloats;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * Recursive-descent parser for one query, with precedence climbing for binary operators. Error
 * messages follow Prometheus's yacc grammar: "unexpected X" plus, where Prometheus's grammar has
 * an error rule, the context and what was expected. It stops at the first error.
 */
final class ExprParser {
    /** Duration literals must fit time.Duration: int64 nanoseconds. */
    private static final double MAX_DURATION_SECONDS = 0x1p63 / 1e9;

    /** Where a token sequence failed, for the "in X, expected Y" part of the message. */
    private record Context(String where, String expected) {}

    private static final Context RANGE_CONTEXT =
            new Context("subquery or range selector", "number, duration, step(), or range()");
    private static final Context STEP_CONTEXT =
            new Context("subquery selector", "number, duration, step(), range(), or \"]\"");
    private static final Context OFFSET_CONTEXT = new Context("offset", "number, duration, step(), or range()");

    private final String input;
    private final ParserOptions options;
    private final Lexer lexer;
    private Token lookahead;
    private Token previous;
    /** How deep the parser's recursion is: refused past the depth limit, before the stack can overflow. */
    private int nesting;

    ExprParser(String input, ParserOptions options) {
        this.input = input;
        this.options = options;
        this.lexer = new Lexer(input);
    }

    // ---- entry points ----

    Expr parseQuery() {
        if (at(TokenType.EOF)) throw error(new PositionRange(0, 0), "no expression found in input");
        Expr e = parseExpr(0);
        if (!at(TokenType.EOF)) throw unexpected(peek(), null);
        return e;
    }

    /** A bare vector selector: {@code name}, {@code name{...}} or {@code {...}}. */
    VectorSelector parseSelectorOnly() {
        Token t = next();
        VectorSelector vs;
        if (t.type() == TokenType.LEFT_BRACE) vs = parseSelectorBraces("", t.pos());
        else if (t.type().isMetricIdentifier()) vs = parseSelectorAfterName(t);
        else throw unexpected(t, null);
        if (!at(TokenType.EOF)) throw unexpected(peek(), null);
        return vs;
    }

    /** A metric with its labels, as in series descriptions: {@code name{label="value", ...}}. */
    Labels parseMetric() {
        Labels.Builder b = new Labels.Builder();
        Token t = next();
        if (t.type().isMetricIdentifier()) {
            b.set(Labels.METRIC_NAME, t.val());
            t = next();
        }
        if (t.type() == TokenType.LEFT_BRACE) {
            String where = "label set";
            boolean closed = at(TokenType.RIGHT_BRACE);
            if (closed) next();
            while (!closed) {
                Token name = next();
                if (name.type() == TokenType.STRING && !at(TokenType.EQL)) {
                    b.set(Labels.METRIC_NAME, unquote(name));
                } else {
                    String label;
                    if (name.type() == TokenType.IDENTIFIER) label = name.val();
                    else if (name.type() == TokenType.STRING) label = unquote(name);
                    else throw unexpected(name, new Context(where, "identifier or \"}\""));
                    expect(TokenType.EQL, new Context(where, "\"=\""));
                    b.set(label, unquote(expect(TokenType.STRING, new Context(where, "string"))));
                }
                Token sep = next();
                if (sep.type() == TokenType.RIGHT_BRACE) closed = true;
                else if (sep.type() != TokenType.COMMA) throw unexpected(sep, new Context(where, "\",\" or \"}\""));
                else if (at(TokenType.RIGHT_BRACE)) {
                    next();
                    closed = true;
                }
            }
            t = next();
        }
        if (t.type() != TokenType.EOF) throw unexpected(t, null);
        return b.build();
    }

    // ---- expressions ----

    private Expr parseExpr(int minPrecedence) {
        enter();
        Expr e = parseBinary(minPrecedence);
        nesting--;
        return e;
    }

    private void enter() {
        if (++nesting > options.maxDepth()) throw ExpressionDepth.tooDeep(peek().range(), options.maxDepth(), input);
    }

    private Expr parseBinary(int minPrecedence) {
        Expr lhs = parseUnary();
        while (true) {
            BinaryOp op = binaryOp(peek().type());
            if (op == null || op.precedence() < minPrecedence) return lhs;
            next();
            boolean returnBool = false;
            if (at(TokenType.BOOL)) {
                next();
                returnBool = true;
            }
            VectorMatching matching = parseVectorMatching();
            Expr rhs = parseExpr(op.isRightAssociative() ? op.precedence() : op.precedence() + 1);
            BinaryExpr b = new BinaryExpr(op, lhs, rhs, matching, returnBool);
            if (matching.hasFill() && !options.binopFillModifiers()) {
                throw error(b.positionRange(), "binop fill modifiers are experimental and not enabled");
            }
            lhs = b;
        }
    }

    /** The modifiers after a binary operator and its bool: on/ignoring, group_left/group_right, fill. */
    private VectorMatching parseVectorMatching() {
        VectorMatching.Cardinality card = VectorMatching.Cardinality.ONE_TO_ONE;
        List<String> labels = List.of();
        List<String> include = List.of();
        boolean on = false;
        if (at(TokenType.ON) || at(TokenType.IGNORING)) {
            on = next().type() == TokenType.ON;
            labels = parseGroupingLabels();
            if (at(TokenType.GROUP_LEFT) || at(TokenType.GROUP_RIGHT)) {
                card = next().type() == TokenType.GROUP_LEFT
                        ? VectorMatching.Cardinality.MANY_TO_ONE : VectorMatching.Cardinality.ONE_TO_MANY;
                if (at(TokenType.LEFT_PAREN)) include = parseGroupingLabels();
            }
        }
        Double fillLeft = null;
        Double fillRight = null;
        if (at(TokenType.FILL)) {
            next();
            fillLeft = fillRight = parseFillValue();
        } else if (at(TokenType.FILL_LEFT)) {
            next();
            fillLeft = parseFillValue();
            if (at(TokenType.FILL_RIGHT)) {
                next();
                fillRight = parseFillValue();
            }
        } else if (at(TokenType.FILL_RIGHT)) {
            next();
            fillRight = parseFillValue();
            if (at(TokenType.FILL_LEFT)) {
                next();
                fillLeft = parseFillValue();
            }
        }
        return new VectorMatching(card, labels, on, include, fillLeft, fillRight);
    }

    private double parseFillValue() {
        expect(TokenType.LEFT_PAREN, null);
        boolean negative = false;
        if (at(TokenType.ADD) || at(TokenType.SUB)) negative = next().type() == TokenType.SUB;
        Token t = next();
        if (t.type() != TokenType.NUMBER && t.type() != TokenType.DURATION) throw unexpected(t, null);
        double v = numberOrDurationValue(t);
        expect(TokenType.RIGHT_PAREN, null);
        return negative ? -v : v;
    }

    private Expr parseUnary() {
        Token t = peek();
        if (t.type() == TokenType.ADD || t.type() == TokenType.SUB) {
            next();
            Expr operand = parseExpr(BinaryOp.UNARY_PRECEDENCE + 1);
            PositionRange pos = new PositionRange(t.pos(), operand.positionRange().end());
            if (operand instanceof NumberLiteral n) {
                double v = t.type() == TokenType.SUB ? -n.value() : n.value();
                return new NumberLiteral(v, n.duration(), pos);
            }
            return new UnaryExpr(t.type() == TokenType.SUB ? BinaryOp.SUB : BinaryOp.ADD, operand, pos);
        }
        return parsePostfix(parsePrimary());
    }

    private Expr parsePrimary() {
        Token t = next();
        TokenType type = t.type();
        switch (type) {
            case NUMBER:
                return new NumberLiteral(numberValue(t), false, t.range());
            case DURATION:
                return new NumberLiteral(durationSeconds(t), true, t.range());
            case STRING:
                return new StringLiteral(unquote(t), t.range());
            case LEFT_PAREN: {
                Expr inner = parseExpr(0);
                Token close = next();
                if (close.type() != TokenType.RIGHT_PAREN) throw unexpected(close, null);
                return new ParenExpr(inner, new PositionRange(t.pos(), close.end()));
            }
            case LEFT_BRACE:
                return parseSelectorBraces("", t.pos());
            case IDENTIFIER, START, END, STEP, RANGE, MAX_OF, MIN_OF:
                if (at(TokenType.LEFT_PAREN)) return parseCall(t);
                return parseSelectorAfterName(t);
            default:
                break;
        }
        if (type.kind == TokenType.Kind.AGGREGATOR) {
            if (at(TokenType.LEFT_PAREN) || at(TokenType.BY) || at(TokenType.WITHOUT)) return parseAggregate(t);
            return parseSelectorAfterName(t);
        }
        if (type.isMetricIdentifier()) return parseSelectorAfterName(t);
        throw unexpected(t, null);
    }

    // ---- selectors ----

    private VectorSelector parseSelectorAfterName(Token name) {
        if (at(TokenType.LEFT_BRACE)) {
            next();
            return parseSelectorBraces(name.val(), name.pos());
        }
        List<LabelMatcher> matchers = List.of(LabelMatcher.equal(Labels.METRIC_NAME, name.val()));
        return new VectorSelector(name.val(), matchers, 0, null, null, false, false, name.range());
    }

    /** The matchers after an opening brace; a name written before the braces adds the last matcher. */
    private VectorSelector parseSelectorBraces(String name, int start) {
        String where = "label matching";
        List<LabelMatcher> matchers = new ArrayList<>();
        Token close = at(TokenType.RIGHT_BRACE) ? next() : null;
        while (close == null) {
            Token t = next();
            if (t.type() == TokenType.IDENTIFIER) {
                Token op = next();
                if (!isMatchOp(op.type())) throw unexpected(op, new Context(where, "label matching operator"));
                Token value = next();
                if (value.type() != TokenType.STRING) throw unexpected(value, new Context(where, "string"));
                matchers.add(newMatcher(t.val(), op, value, t.pos()));
            } else if (t.type() == TokenType.STRING) {
                String labelName = unquote(t);
                if (isMatchOp(peek().type())) {
                    Token op = next();
                    Token value = next();
                    if (value.type() != TokenType.STRING) throw unexpected(value, new Context(where, "string"));
                    matchers.add(newMatcher(labelName, op, value, t.pos()));
                } else {
                    matchers.add(LabelMatcher.equal(Labels.METRIC_NAME, labelName));
                }
            } else {
                throw unexpected(t, new Context(where, "identifier or \"}\""));
            }
            Token sep = next();
            if (sep.type() == TokenType.RIGHT_BRACE) close = sep;
            else if (sep.type() != TokenType.COMMA) throw unexpected(sep, new Context(where, "\",\" or \"}\""));
            else if (at(TokenType.RIGHT_BRACE)) close = next();
        }
        if (!name.isEmpty()) matchers.add(LabelMatcher.equal(Labels.METRIC_NAME, name));
        return new VectorSelector(name, matchers, 0, null, null, false, false, new PositionRange(start, close.end()));
    }

    private LabelMatcher newMatcher(String name, Token op, Token value, int start) {
        LabelMatcher.Type type = switch (op.type()) {
            case EQL -> LabelMatcher.Type.EQUAL;
            case NEQ -> LabelMatcher.Type.NOT_EQUAL;
            case EQL_REGEX -> LabelMatcher.Type.REGEX;
            case NEQ_REGEX -> LabelMatcher.Type.NOT_REGEX;
            default -> throw new IllegalStateException("not a match operator: " + op);
        };
        String v = unquote(value);
        try {
            return LabelMatcher.of(type, name, v);
        } catch (PatternSyntaxException e) {
            throw error(new PositionRange(start, value.end()),
                    "error parsing regexp: " + e.getDescription() + ": `" + v + "`");
        }
    }

    private static boolean isMatchOp(TokenType t) {
        return t == TokenType.EQL || t == TokenType.NEQ || t == TokenType.EQL_REGEX || t == TokenType.NEQ_REGEX;
    }

    // ---- calls and aggregations ----

    private Expr parseCall(Token name) {
        List<Expr> args = parseCallArgs();
        PositionRange pos = new PositionRange(name.pos(), previous.end());
        Function fn = Functions.get(name.val())
                .orElseThrow(() -> error(name.range(), "unknown function with name " + GoQuoting.quote(name.val())));
        if (fn.experimental() && !options.experimentalFunctions()) {
            throw error(name.range(), "function " + GoQuoting.quote(name.val()) + " is not enabled");
        }
        return new Call(fn, args, pos);
    }

    /** {@code ( expr, expr, ... )}; the caller saw the opening parenthesis. */
    private List<Expr> parseCallArgs() {
        next();
        List<Expr> args = new ArrayList<>();
        if (at(TokenType.RIGHT_PAREN)) {
            next();
            return args;
        }
        while (true) {
            args.add(parseExpr(0));
            Token t = next();
            if (t.type() == TokenType.COMMA) {
                if (at(TokenType.RIGHT_PAREN)) throw error(t.range(), "trailing commas not allowed in function call args");
                continue;
            }
            if (t.type() == TokenType.RIGHT_PAREN) return args;
            throw unexpected(t, null);
        }
    }

    private Expr parseAggregate(Token opToken) {
        AggregateOp op = AggregateOp.valueOf(opToken.type().name());
        List<String> grouping = null;
        boolean without = false;
        if (at(TokenType.BY) || at(TokenType.WITHOUT)) {
            without = next().type() == TokenType.WITHOUT;
            grouping = parseGroupingLabels();
            if (!at(TokenType.LEFT_PAREN)) throw unexpected(peek(), new Context("aggregation", null));
        }
        List<Expr> args = parseCallArgs();
        if (grouping == null && (at(TokenType.BY) || at(TokenType.WITHOUT))) {
            without = next().type() == TokenType.WITHOUT;
            grouping = parseGroupingLabels();
        }
        PositionRange pos = new PositionRange(opToken.pos(), previous.end());
        if (args.isEmpty()) throw error(pos, "no arguments for aggregate expression provided");
        int wanted = 1;
        if (op.hasParam()) {
            if (op.isExperimental() && !options.experimentalFunctions()) {
                throw error(pos, op.keyword()
                        + "() is experimental and must be enabled with --enable-feature=promql-experimental-functions");
            }
            wanted = 2;
        }
        if (args.size() != wanted) {
            throw error(pos, "wrong number of arguments for aggregate expression provided, expected " + wanted
                    + ", got " + args.size());
        }
        Expr param = op.hasParam() ? args.get(0) : null;
        return new AggregateExpr(op, args.get(wanted - 1), param, grouping == null ? List.of() : grouping, without, pos);
    }

    /** {@code ( label, "quoted label", ... )} of by/without/on/ignoring/group_x. */
    private List<String> parseGroupingLabels() {
        String where = "grouping opts";
        Token open = next();
        if (open.type() != TokenType.LEFT_PAREN) throw unexpected(open, new Context(where, "\"(\""));
        List<String> labels = new ArrayList<>();
        if (at(TokenType.RIGHT_PAREN)) {
            next();
            return labels;
        }
        while (true) {
            Token t = next();
            if (t.type().isLabelWord()) {
                labels.add(t.val());
            } else if (t.type() == TokenType.STRING) {
                String label = unquote(t);
                if (label.isEmpty()) {
                    throw error(new PositionRange(t.pos() + 1, t.end()),
                            "invalid label name for grouping: " + GoQuoting.quote(label));
                }
                labels.add(label);
            } else {
                throw unexpected(t, new Context(where, "label"));
            }
            Token sep = next();
            if (sep.type() == TokenType.COMMA) {
                if (at(TokenType.RIGHT_PAREN)) {
                    next();
                    return labels;
                }
                continue;
            }
            if (sep.type() == TokenType.RIGHT_PAREN) return labels;
            throw unexpected(sep, new Context(where, "\",\" or \")\""));
        }
    }

    // ---- postfix modifiers: [range], [range:step], offset, @, anchored, smoothed ----

    private Expr parsePostfix(Expr e) {
        while (true) {
            switch (peek().type()) {
                case LEFT_BRACKET -> e = parseRangeOrSubquery(e);
                case OFFSET -> e = parseOffset(e);
                case AT -> e = parseAt(e);
                case ANCHORED, SMOOTHED -> e = parseRangeModifier(e);
                default -> {
                    return e;
                }
            }
        }
    }

    private Expr parseRangeOrSubquery(Expr e) {
        Token open = next();
        Expr range = parsePositiveDuration(RANGE_CONTEXT);
        Token t = next();
        if (t.type() == TokenType.RIGHT_BRACKET) {
            PositionRange errRange = new PositionRange(open.pos(), t.end());
            if (!(e instanceof VectorSelector vs)) throw error(errRange, "ranges only allowed for vector selectors");
            if (vs.hasOffset()) throw error(errRange, "no offset modifiers allowed before range");
            if (vs.at() != null) throw error(errRange, "no @ modifiers allowed before range");
            return new MatrixSelector(vs, durationMillis(range), range instanceof DurationExpr d ? d : null,
                    new PositionRange(vs.positionRange().start(), t.end()));
        }
        if (t.type() != TokenType.COLON) throw unexpected(t, new Context("subquery or range", "\":\" or \"]\""));
        Expr step = null;
        if (!at(TokenType.RIGHT_BRACKET)) {
            step = parsePositiveDuration(STEP_CONTEXT);
            Token close = peek();
            if (close.type() != TokenType.RIGHT_BRACKET) throw unexpected(close, new Context("subquery selector", "\"]\""));
        }
        Token close = next();
        return new SubqueryExpr(e, durationMillis(range), range instanceof DurationExpr d ? d : null,
                step == null ? 0 : durationMillis(step), step instanceof DurationExpr d ? d : null,
                0, null, null, new PositionRange(e.positionRange().start(), close.end()));
    }

    private Expr parseOffset(Expr e) {
        next();
        Expr d = parseOffsetDuration();
        long millis = durationMillis(d);
        DurationExpr expr = d instanceof DurationExpr de ? de : null;
        int end = previous.end();
        if (e instanceof VectorSelector vs) {
            if (vs.hasOffset()) throw error(vs.positionRange(), "offset may not be set multiple times");
            return vs.withOffset(millis, expr, vs.positionRange().withEnd(end));
        }
        if (e instanceof MatrixSelector m) {
            if (m.vectorSelector().hasOffset()) throw error(m.positionRange(), "offset may not be set multiple times");
            return m.withVectorSelector(m.vectorSelector().withOffset(millis, expr, m.vectorSelector().positionRange()),
                    m.positionRange().withEnd(end));
        }
        if (e instanceof SubqueryExpr s) {
            if (s.hasOffset()) throw error(s.positionRange(), "offset may not be set multiple times");
            return s.withOffset(millis, expr, s.positionRange().withEnd(end));
        }
        throw error(e.positionRange(),
                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    }

    private Expr parseAt(Expr e) {
        next();
        Context ctx = new Context("@", "timestamp");
        At at;
        Token t = peek();
        if (t.type() == TokenType.START || t.type() == TokenType.END) {
            next();
            if (!at(TokenType.LEFT_PAREN)) throw unexpected(peek(), ctx);
            next();
            if (!at(TokenType.RIGHT_PAREN)) throw unexpected(peek(), ctx);
            next();
            at = t.type() == TokenType.START ? At.START : At.END;
        } else {
            boolean negative = false;
            if (t.type() == TokenType.ADD || t.type() == TokenType.SUB) {
                negative = next().type() == TokenType.SUB;
            }
            Token n = next();
            if (n.type() != TokenType.NUMBER && n.type() != TokenType.DURATION) throw unexpected(n, ctx);
            double seconds = numberOrDurationValue(n);
            if (negative) seconds = -seconds;
            if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds >= 0x1p63 || seconds <= -0x1p63) {
                throw error(e.positionRange(),
                        "timestamp out of bounds for @ modifier: " + GoFloats.formatFixed6(seconds));
            }
            at = At.timestamp(roundHalfAwayFromZero(seconds * 1000));
        }
        int end = previous.end();
        if (e instanceof VectorSelector vs) {
            if (vs.at() != null) throw error(vs.positionRange(), "@ <timestamp> may not be set multiple times");
            return vs.withAt(at, vs.positionRange().withEnd(end));
        }
        if (e instanceof MatrixSelector m) {
            VectorSelector vs = m.vectorSelector();
            if (vs.at() != null) throw error(m.positionRange(), "@ <timestamp> may not be set multiple times");
            return m.withVectorSelector(vs.withAt(at, vs.positionRange()), m.positionRange().withEnd(end));
        }
        if (e instanceof SubqueryExpr s) {
            if (s.at() != null) throw error(s.positionRange(), "@ <timestamp> may not be set multiple times");
            return s.withAt(at, s.positionRange().withEnd(end));
        }
        throw error(e.positionRange(),
                "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    }

    private Expr parseRangeModifier(Expr e) {
        Token t = next();
        boolean anchored = t.type() == TokenType.ANCHORED;
        String name = anchored ? "anchored" : "smoothed";
        if (!options.extendedRangeSelectors()) {
            throw error(e.positionRange(), name + " modifier is experimental and not enabled");
        }
        VectorSelector vs;
        if (e instanceof VectorSelector v) vs = v;
        else if (e instanceof MatrixSelector m) vs = m.vectorSelector();
        else if (e instanceof SubqueryExpr) throw error(e.positionRange(), name + " modifier is not supported for subqueries");
        else throw error(e.positionRange(), name + " modifier not implemented");
        if (anchored ? vs.smoothed() : vs.anchored()) {
            throw error(e.positionRange(), "anchored and smoothed modifiers cannot be used together");
        }
        boolean newAnchored = vs.anchored() || anchored;
        boolean newSmoothed = vs.smoothed() || !anchored;
        if (e instanceof MatrixSelector m) {
            return m.withVectorSelector(vs.withRangeModifiers(newAnchored, newSmoothed, vs.positionRange()),
                    m.positionRange().withEnd(t.end()));
        }
        return vs.withRangeModifiers(newAnchored, newSmoothed, vs.positionRange().withEnd(t.end()));
    }

    // ---- durations ----

    /** A range or step: a duration expression whose literal value must be positive. */
    private Expr parsePositiveDuration(Context ctx) {
        Expr d = parseDurationExpr(ctx, 0);
        if (d instanceof NumberLiteral n && n.value() <= 0) throw error(n.positionRange(), "duration must be greater than 0");
        return d;
    }

    /**
     * The argument of offset: one signed duration term. Operators after it belong to the enclosing
     * expression, so {@code foo offset 5m * 2} multiplies the selected value.
     */
    private Expr parseOffsetDuration() {
        Token sign = null;
        if (at(TokenType.ADD) || at(TokenType.SUB)) sign = next();
        Token t = peek();
        Expr term;
        switch (t.type()) {
            case NUMBER, DURATION -> {
                next();
                NumberLiteral n = numberDurationLiteral(t);
                double v = sign != null && sign.type() == TokenType.SUB ? -n.value() : n.value();
                if (outOfRange(v)) throw error(sign != null ? sign.range() : n.positionRange(), "duration out of range");
                return new NumberLiteral(v, n.duration(),
                        new PositionRange(sign != null ? sign.pos() : t.pos(), n.positionRange().end()));
            }
            case STEP, RANGE, MAX_OF, MIN_OF, LEFT_PAREN -> term = parseDurationPrimary(OFFSET_CONTEXT);
            default -> throw unexpected(t, OFFSET_CONTEXT);
        }
        if (sign == null) return term;
        return applyDurationSign(sign, term);
    }

    private Expr parseDurationExpr(Context ctx, int minPrecedence) {
        enter();
        Expr e = parseDurationBinary(ctx, minPrecedence);
        nesting--;
        return e;
    }

    private Expr parseDurationBinary(Context ctx, int minPrecedence) {
        Expr lhs = parseDurationUnary(ctx);
        while (true) {
            Token t = peek();
            DurationExpr.Op op = durationOp(t.type());
            if (op == null) return lhs;
            int prec = durationPrecedence(op);
            if (prec < minPrecedence) return lhs;
            next();
            requireDurationExpressions(lhs.positionRange());
            Expr rhs = parseDurationExpr(ctx, op == DurationExpr.Op.POW ? prec : prec + 1);
            if (op == DurationExpr.Op.DIV && rhs instanceof NumberLiteral n && n.value() == 0) {
                throw error(t.range(), "division by zero");
            }
            if (op == DurationExpr.Op.MOD && rhs instanceof NumberLiteral n && n.value() == 0) {
                throw error(t.range(), "modulo by zero");
            }
            lhs = new DurationExpr(op, lhs, rhs, false,
                    new PositionRange(lhs.positionRange().start(), rhs.positionRange().end()));
        }
    }

    private Expr parseDurationUnary(Context ctx) {
        if (at(TokenType.ADD) || at(TokenType.SUB)) {
            Token sign = next();
            Expr operand = parseDurationExpr(ctx, BinaryOp.UNARY_PRECEDENCE + 1);
            return applyDurationSign(sign, operand);
        }
        return parseDurationPrimary(ctx);
    }

    private Expr applyDurationSign(Token sign, Expr operand) {
        boolean minus = sign.type() == TokenType.SUB;
        if (operand instanceof NumberLiteral n) {
            double v = minus ? -n.value() : n.value();
            if (outOfRange(v)) throw error(sign.range(), "duration out of range");
            return new NumberLiteral(v, n.duration(), new PositionRange(sign.pos(), n.positionRange().end()));
        }
        if (operand instanceof DurationExpr d) {
            if (!minus) return d;
            return new DurationExpr(DurationExpr.Op.SUB, null, d, false,
                    new PositionRange(sign.pos(), d.positionRange().end()));
        }
        throw error(sign.range(), "expected number literal or duration expression");
    }

    private Expr parseDurationPrimary(Context ctx) {
        Token t = next();
        switch (t.type()) {
            case NUMBER, DURATION -> {
                NumberLiteral n = numberDurationLiteral(t);
                if (outOfRange(n.value())) throw error(n.positionRange(), "duration out of range");
                return n;
            }
            case STEP, RANGE -> {
                expect(TokenType.LEFT_PAREN, ctx);
                Token close = expect(TokenType.RIGHT_PAREN, ctx);
                PositionRange pos = new PositionRange(t.pos(), close.end());
                requireDurationExpressions(pos);
                return new DurationExpr(t.type() == TokenType.STEP ? DurationExpr.Op.STEP : DurationExpr.Op.RANGE,
                        null, null, false, pos);
            }
            case MAX_OF, MIN_OF -> {
                expect(TokenType.LEFT_PAREN, ctx);
                Expr a = parseDurationExpr(ctx, 0);
                expect(TokenType.COMMA, ctx);
                Expr b = parseDurationExpr(ctx, 0);
                Token close = expect(TokenType.RIGHT_PAREN, ctx);
                PositionRange pos = new PositionRange(t.pos(), close.end());
                requireDurationExpressions(pos);
                return new DurationExpr(t.type() == TokenType.MAX_OF ? DurationExpr.Op.MAX_OF : DurationExpr.Op.MIN_OF,
                        a, b, false, pos);
            }
            case LEFT_PAREN -> {
                Expr inner = parseDurationExpr(ctx, 0);
                Token close = expect(TokenType.RIGHT_PAREN, ctx);
                requireDurationExpressions(inner.positionRange());
                PositionRange pos = new PositionRange(t.pos(), close.end());
                // A parenthesised number becomes a unary plus so that the parentheses print back.
                if (inner instanceof DurationExpr d) return d.wrap(pos);
                return new DurationExpr(DurationExpr.Op.ADD, null, inner, true, pos);
            }
            default -> throw unexpected(t, ctx);
        }
    }

    private void requireDurationExpressions(PositionRange pos) {
        if (!options.durationExpressions()) throw error(pos, "experimental duration expression is not enabled");
    }

    private static DurationExpr.Op durationOp(TokenType t) {
        return switch (t) {
            case ADD -> DurationExpr.Op.ADD;
            case SUB -> DurationExpr.Op.SUB;
            case MUL -> DurationExpr.Op.MUL;
            case DIV -> DurationExpr.Op.DIV;
            case MOD -> DurationExpr.Op.MOD;
            case POW -> DurationExpr.Op.POW;
            default -> null;
        };
    }

    private static int durationPrecedence(DurationExpr.Op op) {
        return switch (op) {
            case ADD, SUB -> BinaryOp.ADD.precedence();
            case POW -> BinaryOp.POW.precedence();
            default -> BinaryOp.MUL.precedence();
        };
    }

    /** Milliseconds of a literal duration (seconds as a float), 0 for a duration expression. */
    private static long durationMillis(Expr d) {
        if (!(d instanceof NumberLiteral n)) return 0;
        return roundHalfAwayFromZero(n.value() * 1e9) / 1_000_000L;
    }

    private static boolean outOfRange(double seconds) {
        return seconds > MAX_DURATION_SECONDS || seconds < -MAX_DURATION_SECONDS;
    }

    /** Go's math.Round, which Prometheus uses to turn float seconds into time values. */
    static long roundHalfAwayFromZero(double v) {
        double r = Math.floor(Math.abs(v) + 0.5);
        return (long) (v < 0 ? -r : r);
    }

    // ---- literals ----

    private NumberLiteral numberDurationLiteral(Token t) {
        if (t.type() == TokenType.DURATION) return new NumberLiteral(durationSeconds(t), true, t.range());
        return new NumberLiteral(numberValue(t), false, t.range());
    }

    private double numberOrDurationValue(Token t) {
        return t.type() == TokenType.DURATION ? durationSeconds(t) : numberValue(t);
    }

    private double numberValue(Token t) {
        try {
            return Literals.parseNumber(t.val());
        } catch (IllegalArgumentException e) {
            throw error(t.range(), "error parsing number: " + e.getMessage());
        }
    }

    private double durationSeconds(Token t) {
        try {
            return PromDurations.parseMillis(t.val()) / 1000.0;
        } catch (IllegalArgumentException e) {
            throw error(t.range(), e.getMessage());
        }
    }

    private String unquote(Token t) {
        try {
            return Literals.unquote(t.val());
        } catch (RuntimeException e) {
            throw error(t.range(), "error unquoting string " + GoQuoting.quote(t.val()) + ": invalid syntax");
        }
    }

    // ---- token stream ----

    private Token peek() {
        if (lookahead == null) {
            Token t = lexer.next();
            if (t.type() == TokenType.ERROR) throw error(new PositionRange(t.pos(), input.length()), t.val());
            lookahead = t;
        }
        return lookahead;
    }

    private Token next() {
        Token t = peek();
        lookahead = null;
        previous = t;
        return t;
    }

    private boolean at(TokenType type) { return peek().type() == type; }

    private Token expect(TokenType type, Context ctx) {
        Token t = next();
        if (t.type() != type) throw unexpected(t, ctx);
        return t;
    }

    private static BinaryOp binaryOp(TokenType t) {
        return switch (t) {
            case ADD -> BinaryOp.ADD;
            case SUB -> BinaryOp.SUB;
            case MUL -> BinaryOp.MUL;
            case DIV -> BinaryOp.DIV;
            case MOD -> BinaryOp.MOD;
            case POW -> BinaryOp.POW;
            case ATAN2 -> BinaryOp.ATAN2;
            case EQLC -> BinaryOp.EQLC;
            case NEQ -> BinaryOp.NEQ;
            case GTR -> BinaryOp.GTR;
            case LSS -> BinaryOp.LSS;
            case GTE -> BinaryOp.GTE;
            case LTE -> BinaryOp.LTE;
            case TRIM_UPPER -> BinaryOp.TRIM_UPPER;
            case TRIM_LOWER -> BinaryOp.TRIM_LOWER;
            case LAND -> BinaryOp.LAND;
            case LOR -> BinaryOp.LOR;
            case LUNLESS -> BinaryOp.LUNLESS;
            default -> null;
        };
    }

    // ---- errors ----

    private ParseException error(PositionRange range, String message) {
        return new ParseException(range, message, input);
    }

    private ParseException unexpected(Token t, Context ctx) {
        StringBuilder msg = new StringBuilder("unexpected ").append(t.describe());
        if (ctx != null && ctx.where != null) msg.append(" in ").append(ctx.where);
        if (ctx != null && ctx.expected != null) msg.append(", expected ").append(ctx.expected);
        return error(t.range(), msg.toString());
    }
}
