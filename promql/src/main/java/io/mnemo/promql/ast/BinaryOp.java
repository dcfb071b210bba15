package io.mnemo.promql.ast;

/** Binary operators with Prometheus's precedence (higher binds tighter) and associativity. */
public enum BinaryOp {
    LOR("or", 1), LAND("and", 2), LUNLESS("unless", 2),
    EQLC("==", 3), NEQ("!=", 3), GTR(">", 3), LSS("<", 3), GTE(">=", 3), LTE("<=", 3),
    /** Native histogram trimming operators. */
    TRIM_UPPER("</", 3), TRIM_LOWER(">/", 3),
    ADD("+", 4), SUB("-", 4),
    MUL("*", 5), DIV("/", 5), MOD("%", 5), ATAN2("atan2", 5),
    POW("^", 6);

    /** Unary plus and minus bind like multiplication: {@code -a^b} is {@code -(a^b)}, {@code -a*b} is {@code (-a)*b}. */
    public static final int UNARY_PRECEDENCE = 5;

    private final String symbol;
    private final int precedence;

    BinaryOp(String symbol, int precedence) {
        this.symbol = symbol;
        this.precedence = precedence;
    }

    public String symbol() { return symbol; }
    public int precedence() { return precedence; }
    public boolean isRightAssociative() { return this == POW; }

    public boolean isComparison() {
        return switch (this) {
            case EQLC, NEQ, GTR, LSS, GTE, LTE -> true;
            default -> false;
        };
    }

    public boolean isSetOperator() { return this == LAND || this == LOR || this == LUNLESS; }

    @Override
    public String toString() { return symbol; }
}
