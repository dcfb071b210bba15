package io.mnemo.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Request parameters of the Prometheus API, which accepts them both in the URL query (GET) and
 * in an {@code application/x-www-form-urlencoded} body (POST); both are merged, repeated keys
 * such as {@code match[]} kept in order.
 */
final class ApiParams {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    static ApiParams parse(String rawQuery, String formBody) {
        ApiParams p = new ApiParams();
        p.addEncoded(rawQuery);
        p.addEncoded(formBody);
        return p;
    }

    private void addEncoded(String s) {
        if (s == null || s.isEmpty()) return;
        for (String pair : s.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            values.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiException.BAD_DATA, "invalid URL encoding in parameter: " + s);
        }
    }

    /** First value, or null when absent or empty. */
    String get(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }
}
