package io.mnemo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A node without the distributor role has no distributor: pushes are answered 404, naming the role. */
class PushWithoutDistributorTest {
    @Test
    void aPushIsAnswered404NamingTheMissingRole() throws Exception {
        try (PushServer server = new PushServer("mnemo.roles = [ingester, querier]", false)) {
            for (boolean chunked : new boolean[] {false, true}) {
                HttpResponse<String> r = server.push(PushRouteTest.validPush(100), chunked);
                assertEquals(404, r.statusCode(), r.body());
                assertTrue(r.body().contains("does not have the distributor role"), r.body());
                assertTrue(r.body().contains("[ingester, querier]"), r.body());
            }
            assertEquals(0, server.sink.count(), "nothing written");
            assertEquals(0, server.metrics.rejectedRequests.collect().getDataPoints().size(),
                    "not a distributor's refusal: nothing counted");
        }
    }
}
