package io.mnemo.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.mnemo.actors.ingester.IngesterCommand.AcceptDataLossReply;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /ingester/accept-data-loss[?id=<zone>/<partition>]}: an operator accepts that records
 * an ingester of this node misses are gone from Kafka too (it logged them at ERROR, and {@code
 * /ready} names them), so that it resumes at the partition's earliest offset. Without {@code id},
 * every ingester of this node that waits for it. 200 when one accepted, 409 when none had a loss
 * to accept, with a line per ingester either way.
 */
final class DataLossRoute extends AllDirectives {
    private final String zone;
    private final Function<OptionalInt, CompletionStage<List<AcceptDataLossReply>>> accept;

    DataLossRoute(String zone, Function<OptionalInt, CompletionStage<List<AcceptDataLossReply>>> accept) {
        this.zone = zone;
        this.accept = accept;
    }

    Route route() {
        return path(segment("ingester").slash("accept-data-loss"), () -> post(() ->
                parameterOptional("id", id -> id.map(this::one).orElseGet(() -> accept(OptionalInt.empty())))));
    }

    private Route one(String id) {
        int slash = id.lastIndexOf('/');
        int partition;
        try {
            partition = Integer.parseInt(id.substring(slash + 1));
        } catch (RuntimeException e) {
            return complete(StatusCodes.BAD_REQUEST, "invalid ingester id \"" + id + "\": expected <zone>/<partition>");
        }
        if (slash <= 0 || !id.substring(0, slash).equals(zone)) {
            return complete(StatusCodes.NOT_FOUND, "this node hosts ingesters of zone " + zone + " only, not " + id);
        }
        return accept(OptionalInt.of(partition));
    }

    private Route accept(OptionalInt partition) {
        return onSuccess(accept.apply(partition), replies -> {
            if (replies.isEmpty()) {
                return complete(StatusCodes.NOT_FOUND, "no such ingester on this node");
            }
            StringBuilder body = new StringBuilder();
            replies.forEach(r -> body.append(r.message()).append('\n'));
            boolean any = replies.stream().anyMatch(AcceptDataLossReply::accepted);
            return complete(any ? StatusCodes.OK : StatusCodes.CONFLICT, body.toString());
        });
    }
}
