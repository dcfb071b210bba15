package io.mnemo.promql.parser;

import io.mnemo.promql.text.GoQuoting;

/**
 * Splits a PromQL query into tokens. Like Prometheus's lexer it is modal: inside braces only
 * label matchers are recognised, inside brackets durations and duration expressions. Comments
 * ({@code # ...}) are skipped. An error becomes an {@link TokenType#ERROR} token whose text is the
 * message; the lexer stops after it.
 */
final class Lexer {
    private static final int EOF = -1;

    private final String input;
    private int pos;
    private int start;
    private int width;
    private boolean done;

    private int parenDepth;
    private boolean braceOpen;
    private boolean bracketOpen;
    private boolean gotColon;
    private boolean gotDuration;
    /** The next token is the first of a bracket, or follows an operator inside one. */
    private boolean durationExprMode;

    Lexer(String input) {
        this.input = input;
    }

    Token next() {
        if (done) return new Token(TokenType.EOF, input.length(), "");
        while (true) {
            Token t = braceOpen ? lexInsideBraces() : durationExprMode ? lexDurationExpr() : lexStatements();
            if (t == null) continue; // whitespace or comment
            if (t.type() == TokenType.EOF || t.type() == TokenType.ERROR) done = true;
            return t;
        }
    }

    // ---- states ----

    private Token lexStatements() {
        start = pos;
        if (input.startsWith("#", pos)) return skipComment();
        int r = nextChar();
        if (r == EOF) {
            if (parenDepth != 0) return error("unclosed left parenthesis");
            if (bracketOpen) return error("unclosed left bracket");
            return emit(TokenType.EOF);
        }
        switch (r) {
            case ',': return emit(TokenType.COMMA);
            case ' ', '\t', '\n', '\r': return skipSpaces();
            case '*': return emit(TokenType.MUL);
            case '/': return emit(TokenType.DIV);
            case '%': return emit(TokenType.MOD);
            case '+': return emit(TokenType.ADD);
            case '-': return emit(TokenType.SUB);
            case '^': return emit(TokenType.POW);
            case '@': return emit(TokenType.AT);
            case '=': {
                int t = peekChar();
                if (t == '=') {
                    nextChar();
                    return emit(TokenType.EQLC);
                }
                if (t == '~') return error("unexpected character after '=': " + GoQuoting.quoteRune(t));
                return emit(TokenType.EQL);
            }
            case '!': {
                int t = nextChar();
                if (t != '=') return error("unexpected character after '!': " + GoQuoting.quoteRune(t));
                return emit(TokenType.NEQ);
            }
            case '<': {
                if (accept("=")) return emit(TokenType.LTE);
                if (accept("/")) return emit(TokenType.TRIM_UPPER);
                return emit(TokenType.LSS);
            }
            case '>': {
                if (accept("=")) return emit(TokenType.GTE);
                if (accept("/")) return emit(TokenType.TRIM_LOWER);
                return emit(TokenType.GTR);
            }
            case '"', '\'': return lexString((char) r);
            case '`': return lexRawString();
            case '(': {
                parenDepth++;
                return emit(TokenType.LEFT_PAREN);
            }
            case ')': {
                Token t = emit(TokenType.RIGHT_PAREN);
                if (--parenDepth < 0) return error("unexpected right parenthesis " + GoQuoting.quoteRune(r));
                return t;
            }
            case '{': {
                braceOpen = true;
                return emit(TokenType.LEFT_BRACE);
            }
            case '[': {
                if (bracketOpen) return error("unexpected left bracket " + GoQuoting.quoteRune(r));
                gotColon = false;
                Token t = emit(TokenType.LEFT_BRACKET);
                while (isSpace(peekChar())) nextChar();
                start = pos;
                bracketOpen = true;
                durationExprMode = true;
                return t;
            }
            case ']': {
                if (!bracketOpen) return error("unexpected right bracket " + GoQuoting.quoteRune(r));
                bracketOpen = false;
                return emit(TokenType.RIGHT_BRACKET);
            }
            default:
                break;
        }
        if (isDigit(r) || (r == '.' && isDigit(peekChar()))) {
            backup();
            return lexNumberOrDuration();
        }
        if (isAlpha(r) || r == ':') {
            if (!bracketOpen) {
                backup();
                return lexKeywordOrIdentifier();
            }
            // After the first duration of a bracket: only the subquery colon or a duration keyword.
            if (r == ':') {
                if (gotColon) return error("unexpected colon " + GoQuoting.quoteRune(r));
                gotColon = true;
                return emit(TokenType.COLON);
            }
            if (isDurationKeywordStart(r)) {
                Token t = scanDurationKeyword();
                if (t != null) return t;
            }
            return error("unexpected character: " + GoQuoting.quoteRune(r) + ", expected ':'");
        }
        return error("unexpected character: " + GoQuoting.quoteRune(r));
    }

    private Token lexInsideBraces() {
        start = pos;
        if (input.startsWith("#", pos)) return skipComment();
        int r = nextChar();
        if (r == EOF) return error("unexpected end of input inside braces");
        if (isSpace(r)) return skipSpaces();
        if (isAlpha(r)) {
            while (isAlphaNumeric(peekChar())) nextChar();
            return emit(TokenType.IDENTIFIER);
        }
        switch (r) {
            case ',': return emit(TokenType.COMMA);
            case '"', '\'': return lexString((char) r);
            case '`': return lexRawString();
            case '=': return accept("~") ? emit(TokenType.EQL_REGEX) : emit(TokenType.EQL);
            case '!': {
                int n = nextChar();
                if (n == '~') return emit(TokenType.NEQ_REGEX);
                if (n == '=') return emit(TokenType.NEQ);
                return error("unexpected character after '!' inside braces: " + GoQuoting.quoteRune(n));
            }
            case '{': return error("unexpected left brace " + GoQuoting.quoteRune(r));
            case '}': {
                braceOpen = false;
                return emit(TokenType.RIGHT_BRACE);
            }
            default: return error("unexpected character inside braces: " + GoQuoting.quoteRune(r));
        }
    }

    /** The start of a bracket and the operand positions of a duration expression. */
    private Token lexDurationExpr() {
        start = pos;
        int r = nextChar();
        switch (r) {
            case EOF: return error("unexpected end of input in duration expression");
            case ']': {
                bracketOpen = false;
                gotColon = false;
                durationExprMode = false;
                return emit(TokenType.RIGHT_BRACKET);
            }
            case ':': {
                Token t = emit(TokenType.COLON);
                if (!gotDuration) return error("unexpected colon before duration in duration expression");
                if (gotColon) return error("unexpected repeated colon in duration expression");
                gotColon = true;
                return t;
            }
            case '(': {
                parenDepth++;
                return emit(TokenType.LEFT_PAREN);
            }
            case ')': {
                Token t = emit(TokenType.RIGHT_PAREN);
                if (--parenDepth < 0) return error("unexpected right parenthesis " + GoQuoting.quoteRune(r));
                return t;
            }
            case ' ', '\t', '\n', '\r': {
                while (isSpace(peekChar())) nextChar();
                start = pos;
                return null;
            }
            case '+': return emit(TokenType.ADD);
            case '-': return emit(TokenType.SUB);
            case '*': return emit(TokenType.MUL);
            case '/': return emit(TokenType.DIV);
            case '%': return emit(TokenType.MOD);
            case '^': return emit(TokenType.POW);
            case ',': return emit(TokenType.COMMA);
            default: break;
        }
        if (isDurationKeywordStart(r)) {
            Token t = scanDurationKeyword();
            if (t != null) return t;
            return error("unexpected character in duration expression: " + GoQuoting.quoteRune(r));
        }
        if (isDigit(r) || (r == '.' && isDigit(peekChar()))) {
            backup();
            gotDuration = true;
            durationExprMode = false;
            return lexNumberOrDuration();
        }
        return error("unexpected character in duration expression: " + GoQuoting.quoteRune(r));
    }

    // ---- token scanners ----

    private Token skipComment() {
        while (pos < input.length() && input.charAt(pos) != '\n' && input.charAt(pos) != '\r') pos++;
        start = pos;
        return null;
    }

    private Token skipSpaces() {
        while (isSpace(peekChar())) nextChar();
        start = pos;
        return null;
    }

    private Token lexKeywordOrIdentifier() {
        int r;
        while (isAlphaNumeric(r = peekChar()) || r == ':') nextChar();
        String word = input.substring(start, pos);
        TokenType kw = TokenType.ofWord(word);
        if (kw != null) {
            // fill, fill_left and fill_right are modifiers only before "(", so they stay usable as metric names.
            boolean fill = kw == TokenType.FILL || kw == TokenType.FILL_LEFT || kw == TokenType.FILL_RIGHT;
            if (fill && !followedByLeftParen()) return emit(TokenType.IDENTIFIER);
            return emit(kw);
        }
        return emit(word.indexOf(':') >= 0 ? TokenType.METRIC_IDENTIFIER : TokenType.IDENTIFIER);
    }

    private boolean followedByLeftParen() {
        int p = pos;
        while (p < input.length() && isSpace(input.charAt(p))) p++;
        return p < input.length() && input.charAt(p) == '(';
    }

    /** step, range, max_of or min_of inside brackets; null (having consumed the word) if it is none of them. */
    private Token scanDurationKeyword() {
        while (isAlpha(peekChar())) nextChar();
        TokenType t = TokenType.ofWord(input.substring(start, pos));
        if (t == TokenType.STEP || t == TokenType.RANGE || t == TokenType.MAX_OF || t == TokenType.MIN_OF) {
            return emit(t);
        }
        return null;
    }

    private Token lexNumberOrDuration() {
        if (scanNumber()) return emit(TokenType.NUMBER);
        if (acceptRemainingDuration()) {
            backup();
            return emit(TokenType.DURATION);
        }
        return error("bad number or duration syntax: " + GoQuoting.quote(input.substring(start, pos)));
    }

    /**
     * Scans decimal, hexadecimal and float numbers with optional underscores between digits. The
     * scanned text is not necessarily a valid number: the parser converts it and reports errors.
     * False when the number runs into letters (then it may still be a duration).
     */
    private boolean scanNumber() {
        int initial = pos;
        String digits = "0123456789";
        if (accept("0") && accept("xX")) {
            accept("_");
            digits = "0123456789abcdefABCDEF";
        }
        boolean hex = digits.length() > 10;
        accept(".");
        accept(digits);
        boolean dotSeen = false;
        boolean exponentSeen = false;
        while (is(digits + "._eE")) {
            if (is(".") && dotSeen) {
                accept(".");
                return false;
            }
            if (is("eE") && exponentSeen) {
                accept("eE");
                return false;
            }
            if (accept(".")) {
                dotSeen = true;
                if (accept("_.")) return false;
                if (hex) return false; // no fractional hexadecimal literals
                continue;
            }
            if (accept("eE")) {
                exponentSeen = true;
                accept("+-");
                if (accept("._eE") || peekChar() == EOF) return false;
                continue;
            }
            if (accept("_")) {
                if (accept("._eE") || peekChar() == EOF) return false;
                continue;
            }
            while (accept(digits)) {
                // consume the run
            }
        }
        if (pos == initial) return false;
        return !isAlphaNumeric(peekChar());
    }

    /** After the digits of a number: a unit, then more digit-unit pairs, then no letter or digit. */
    private boolean acceptRemainingDuration() {
        if (!accept("smhdwy")) return false;
        accept("s"); // "ms"; bad units such as "hs" are reported when the duration is parsed
        while (accept("0123456789")) {
            while (accept("0123456789")) {
                // consume
            }
            if (!accept("smhdw")) return false;
            accept("s");
        }
        return !isAlphaNumeric(nextChar());
    }

    private Token lexString(char quote) {
        while (true) {
            int c = nextChar();
            if (c == '\\') {
                String err = scanEscape(quote);
                if (err != null) return error(err);
            } else if (c == EOF || c == '\n') {
                return error("unterminated quoted string");
            } else if (c == quote) {
                return emit(TokenType.STRING);
            }
        }
    }

    /** Validates one escape sequence (the backslash is consumed); returns an error message or null. */
    private String scanEscape(char quote) {
        int ch = nextChar();
        int n;
        int base;
        int max;
        switch (ch) {
            case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\':
                return null;
            case '0', '1', '2', '3', '4', '5', '6', '7':
                n = 3;
                base = 8;
                max = 255;
                break;
            case 'x':
                ch = nextChar();
                n = 2;
                base = 16;
                max = 255;
                break;
            case 'u':
                ch = nextChar();
                n = 4;
                base = 16;
                max = Character.MAX_CODE_POINT;
                break;
            case 'U':
                ch = nextChar();
                n = 8;
                base = 16;
                max = Character.MAX_CODE_POINT;
                break;
            case EOF:
                return "escape sequence not terminated";
            default:
                if (ch == quote) return null;
                return "unknown escape sequence " + GoQuoting.unicodeDescription(ch);
        }
        long x = 0;
        while (n > 0) {
            int d = digitValue(ch);
            if (d >= base) {
                if (ch == EOF) return "escape sequence not terminated";
                return "illegal character " + GoQuoting.unicodeDescription(ch) + " in escape sequence";
            }
            x = x * base + d;
            n--;
            if (n > 0) ch = nextChar();
        }
        if (x > max || (x >= 0xD800 && x < 0xE000)) return "escape sequence is an invalid Unicode code point";
        return null;
    }

    private Token lexRawString() {
        while (true) {
            int c = nextChar();
            if (c == EOF) return error("unterminated raw string");
            if (c == '`') return emit(TokenType.STRING);
        }
    }

    // ---- character helpers ----

    private int nextChar() {
        if (pos >= input.length()) {
            width = 0;
            return EOF;
        }
        int c = input.codePointAt(pos);
        width = Character.charCount(c);
        pos += width;
        return c;
    }

    private int peekChar() {
        return pos >= input.length() ? EOF : input.codePointAt(pos);
    }

    private void backup() { pos -= width; }

    private boolean accept(String valid) {
        int c = nextChar();
        if (c != EOF && valid.indexOf(c) >= 0) return true;
        backup();
        return false;
    }

    private boolean is(String valid) {
        int c = peekChar();
        return c != EOF && valid.indexOf(c) >= 0;
    }

    private Token emit(TokenType type) {
        Token t = new Token(type, start, input.substring(start, pos));
        start = pos;
        return t;
    }

    private Token error(String message) {
        return new Token(TokenType.ERROR, start, message);
    }

    private static int digitValue(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return 16;
    }

    private static boolean isDurationKeywordStart(int r) {
        int l = Character.toLowerCase(r);
        return l == 's' || l == 'r' || l == 'm';
    }

    static boolean isSpace(int r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }

    private static boolean isDigit(int r) { return r >= '0' && r <= '9'; }

    private static boolean isAlpha(int r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }

    private static boolean isAlphaNumeric(int r) { return isAlpha(r) || isDigit(r); }
}
