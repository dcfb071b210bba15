package io.mnemo.http;

import io.mnemo.actors.MnemoSettings;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** Resolves the tenant of a request from {@code X-Scope-OrgID}, as Mimir does. */
final class Tenants {
    static final String HEADER = "X-Scope-OrgID";
    static final String NO_ORG_ID = "no org id";
    private static final int MAX_TENANT_LENGTH = 150;

    private final boolean multitenancy;
    private final String noAuthTenant;

    Tenants(MnemoSettings settings) {
        this.multitenancy = settings.multitenancyEnabled();
        this.noAuthTenant = settings.noAuthTenant();
    }

    /** The tenant, or empty when the request must be refused with 401 "no org id". */
    Optional<String> tenant(HttpRequest request) {
        if (!multitenancy) return Optional.of(noAuthTenant);
        return request.getHeader(HEADER).map(h -> h.value().trim()).filter(t -> !t.isEmpty());
    }

    /** Mimir's tenant id rules: at most 150 characters, no path separators, not "." or "..". */
    static String validate(String tenant) {
        if (tenant.length() > MAX_TENANT_LENGTH) return "tenant ID is too long: max " + MAX_TENANT_LENGTH + " characters";
        if (tenant.equals(".") || tenant.equals("..")) return "tenant ID is '.' or '..'";
        for (int i = 0; i < tenant.length(); i++) {
            char c = tenant.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!-_.*'()".indexOf(c) >= 0;
            if (!ok) return "tenant ID '" + tenant + "' contains unsupported character '" + c + "'";
        }
        return null;
    }
}
