package io.mnemo.http;

import io.mnemo.actors.MnemoSettings;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** Resolves the tenant of a request from {@code X-Scope-OrgID}, as Mimir does. */
final class Tenants {
    static final String HEADER = "X-Scope-OrgID";
    static final String NO_ORG_ID = "no org id";

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
}
