package io.mnemo.promql.parser;

import io.mnemo.promql.text.GoQuoting;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Converts the text of number and string tokens into values, with Go's rules. */
public final class Literals {
    private Literals() {}

    /**
     * The value of a number token: integers in decimal, hexadecimal ({@code 0x1F}) or octal
     * ({@code 0755}), floats with exponents, {@code Inf}, {@code NaN}; underscores between digits.
     *
     * @throws IllegalArgumentException with Go's strconv message when the text is no valid number
     */
    public static double parseNumber(String text) {
        String s = text.replace("_", "");
        String lower = s.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "inf", "+inf", "infinity", "+infinity": return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity": return Double.NEGATIVE_INFINITY;
            case "nan", "+nan", "-nan": return Double.NaN;
            default: break;
        }
        boolean negative = s.startsWith("-");
        String body = (s.startsWith("-") || s.startsWith("+")) ? s.substring(1) : s;
        String lowerBody = body.toLowerCase(Locale.ROOT);
        if (lowerBody.startsWith("0x")) {
            String digits = body.substring(2);
            if (!digits.isEmpty() && digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                BigInteger v = new BigInteger(digits, 16);
                if (v.bitLength() < 64) return negative ? -v.longValue() : v.longValue();
            }
            // Neither an int64 nor a float: Go wants a 'p' exponent in hexadecimal floats.
            throw invalid(text, "invalid syntax");
        }
        if (body.length() > 1 && body.charAt(0) == '0' && body.chars().allMatch(c -> c >= '0' && c <= '7')) {
            BigInteger v = new BigInteger(body.substring(1), 8);
            if (v.bitLength() < 64) return negative ? -v.longValue() : v.longValue();
        }
        if (!body.isEmpty() && body.chars().allMatch(c -> c >= '0' && c <= '9')) {
            BigInteger v = new BigInteger(body);
            if (v.bitLength() < 64) return negative ? -v.longValue() : v.longValue();
        }
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
            if (!ok) throw invalid(text, "invalid syntax");
        }
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw invalid(text, "invalid syntax");
        }
        if (Double.isInfinite(v)) throw invalid(text, "value out of range");
        return v;
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("strconv.ParseFloat: parsing " + GoQuoting.quote(text) + ": " + why);
    }

    /**
     * The value of a string token including its quotes: {@code "..."} and {@code '...'} with Go
     * escapes ({@code \n}, {@code \x41}, {@code \101}, {@code \u00e9}, ...), {@code `...`} raw.
     * Byte escapes are combined and decoded as UTF-8; a byte that is not part of valid UTF-8 is
     * kept as the lone surrogate U+DC00+byte (as Python's surrogateescape does), so that the
     * string still prints as Go prints it ({@code "a\xc5z"}) and can be told invalid.
     */
    public static String unquote(String quoted) {
        int n = quoted.length();
        if (n < 2 || quoted.charAt(0) != quoted.charAt(n - 1)) throw new IllegalArgumentException("invalid syntax");
        char quote = quoted.charAt(0);
        String body = quoted.substring(1, n - 1);
        if (quote == '`') return body;
        if (body.indexOf('\\') < 0) return body;
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length());
        for (int i = 0; i < body.length(); ) {
            char c = body.charAt(i);
            if (c != '\\') {
                int cp = body.codePointAt(i);
                i += Character.charCount(cp);
                writeUtf8(out, cp);
                continue;
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> out.write(7);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(11);
                case '\\', '\'', '"' -> out.write(e);
                case 'x' -> {
                    out.write(Integer.parseInt(body.substring(i, i + 2), 16));
                    i += 2;
                }
                case 'u' -> {
                    writeUtf8(out, Integer.parseInt(body.substring(i, i + 4), 16));
                    i += 4;
                }
                case 'U' -> {
                    writeUtf8(out, Integer.parseInt(body.substring(i, i + 8), 16));
                    i += 8;
                }
                default -> {
                    if (e < '0' || e > '7') throw new IllegalArgumentException("invalid syntax");
                    out.write(Integer.parseInt(body.substring(i - 1, i + 2), 8));
                    i += 2;
                }
            }
        }
        return decodeUtf8(out.toByteArray());
    }

    /** Decodes UTF-8 as Go validates it, keeping each invalid byte as U+DC00+byte. */
    static String decodeUtf8(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                sb.append((char) c);
                i++;
                continue;
            }
            int len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
            boolean valid = len > 0 && i + len <= b.length;
            if (valid) {
                int second = b[i + 1] & 0xff;
                int lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
                int hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
                valid = second >= lo && second <= hi;
                for (int k = 2; valid && k < len; k++) valid = (b[i + k] & 0xC0) == 0x80;
            }
            if (!valid) {
                sb.append((char) (0xDC00 + c));
                i++;
                continue;
            }
            int cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
            for (int k = 1; k < len; k++) cp = (cp << 6) | (b[i + k] & 0x3F);
            sb.appendCodePoint(cp);
            i += len;
        }
        return sb.toString();
    }

    private static void writeUtf8(ByteArrayOutputStream out, int cp) {
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
    }
}
