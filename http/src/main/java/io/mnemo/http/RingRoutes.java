package io.mnemo.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.Ring;
import io.mnemo.cluster.RingKeeper;
import io.mnemo.cluster.RingState;
import io.mnemo.cluster.RingView;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /ingester/ring}: the ring as this node sees it, JSON for programs ({@code Accept:
 * application/json}) and an HTML table for people; {@code POST /ingester/ring/forget?id=zone/partition}
 * removes an UNHEALTHY ingester's entry.
 */
final class RingRoutes extends AllDirectives {
    private final Ring ring;
    private final ActorRef<RingKeeper.Command> keeper;

    RingRoutes(Ring ring, ActorRef<RingKeeper.Command> keeper) {
        this.ring = ring;
        this.keeper = keeper;
    }

    Route route() {
        return concat(
                path(segment("ingester").slash("ring"), () -> get(() -> headerValueByName("Accept", accept ->
                        accept.contains("application/json") ? complete(json()) : complete(html()))
                        .orElse(complete(html())))),
                path(segment("ingester").slash("ring").slash("forget"), () -> post(() -> parameter("id", this::forget))));
    }

    private Route forget(String id) {
        int slash = id.lastIndexOf('/');
        IngesterId ingester;
        try {
            ingester = new IngesterId(id.substring(0, slash), Integer.parseInt(id.substring(slash + 1)));
        } catch (RuntimeException e) {
            return complete(StatusCodes.BAD_REQUEST, "invalid ingester id \"" + id + "\": expected <zone>/<partition>");
        }
        RingView.Member m = ring.view().member(ingester).orElse(null);
        if (m == null) return complete(StatusCodes.NOT_FOUND, "no ingester " + id + " in the ring");
        if (m.effectiveState() != RingState.UNHEALTHY) {
            return complete(StatusCodes.BAD_REQUEST, "ingester " + id + " is " + m.effectiveState()
                    + "; only UNHEALTHY ingesters can be forgotten");
        }
        return extractActorSystem(classic -> {
            ActorSystem<?> system = org.apache.pekko.actor.typed.javadsl.Adapter.toTyped(classic);
            return onSuccess(AskPattern.<RingKeeper.Command, Boolean>ask(keeper,
                    replyTo -> new RingKeeper.Forget(ingester, replyTo), Duration.ofSeconds(5), system.scheduler()),
                    ok -> complete(StatusCodes.OK, "forgot " + id));
        });
    }

    private HttpResponse json() {
        RingView view = ring.view();
        long now = System.currentTimeMillis();
        byte[] body = PrometheusJson.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("ingesters");
            for (RingView.Member m : view.members()) writeMember(g, m, now);
            g.writeEndArray();
            g.writeEndObject();
        });
        return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    }

    private static void writeMember(JsonGenerator g, RingView.Member m, long now) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", m.id().toString());
        g.writeStringField("zone", m.id().zone());
        g.writeNumberField("partition", m.id().partition());
        g.writeStringField("state", m.effectiveState().name());
        g.writeStringField("reportedState", m.desc().state().name());
        g.writeStringField("previousState", m.desc().previousState().name());
        g.writeStringField("node", m.desc().node());
        g.writeStringField("lastHeartbeat", Instant.ofEpochMilli(m.desc().heartbeatMillis()).toString());
        g.writeNumberField("heartbeatAgeSeconds", (now - m.desc().heartbeatMillis()) / 1000.0);
        g.writeNumberField("lag", m.desc().lag());
        g.writeNumberField("nextOffset", m.desc().nextOffset());
        g.writeNumberField("resumedOffset", m.desc().resumedOffset());
        // The oldest sample it holds (queriers ask it back to there); null: none.
        g.writeFieldName("minTime");
        if (m.desc().minTime() == Long.MAX_VALUE) g.writeNull();
        else g.writeNumber(m.desc().minTime());
        g.writeEndObject();
    }

    private HttpResponse html() {
        RingView view = ring.view();
        long now = System.currentTimeMillis();
        StringBuilder sb = new StringBuilder(4096);
        sb.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Mnemo ingester ring</title>")
                .append("<style>body{font-family:sans-serif}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
                .append(".ACTIVE{color:#070}.UNHEALTHY{color:#b00}.JOINING,.PENDING{color:#a60}</style></head><body>")
                .append("<h1>Ingester ring</h1><table><tr><th>Ingester</th><th>Zone</th><th>Partition</th><th>State</th>")
                .append("<th>Node</th><th>Last heartbeat</th><th>Kafka lag</th><th></th></tr>");
        for (RingView.Member m : view.members()) {
            String state = m.effectiveState().name();
            sb.append("<tr><td>").append(escape(m.id().toString())).append("</td><td>").append(escape(m.id().zone()))
                    .append("</td><td>").append(m.id().partition()).append("</td><td class=\"").append(state).append("\">")
                    .append(state).append("</td><td>").append(escape(m.desc().node())).append("</td><td>")
                    .append(Instant.ofEpochMilli(m.desc().heartbeatMillis())).append(" (")
                    .append((now - m.desc().heartbeatMillis()) / 1000).append(" s ago)</td><td>").append(m.desc().lag())
                    .append("</td><td>");
            if (m.effectiveState() == RingState.UNHEALTHY) {
                sb.append("<form method=\"post\" action=\"/ingester/ring/forget?id=").append(escape(m.id().toString()))
                        .append("\"><button>Forget</button></form>");
            }
            sb.append("</td></tr>");
        }
        sb.append("</table></body></html>");
        return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, sb.toString()));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
