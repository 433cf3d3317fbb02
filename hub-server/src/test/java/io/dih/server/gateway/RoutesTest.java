package io.dih.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import org.junit.jupiter.api.Test;

class RoutesTest {
    private static final Handler NOTHING = ctx -> {
    };

    private final Routes routes = new Routes()
            .post("/api/regions", Access.open(), NOTHING)
            .get("/api/regions", Access.open(), NOTHING)
            .get("/api/regions/{name}", Access.open(), NOTHING)
            .delete("/api/regions/{name}", Access.open(), NOTHING)
            .post("/api/regions/{name}/entries/batch-get", Access.open(), NOTHING)
            .get("/api/regions/{name}/entries/{key}", Access.open(), NOTHING)
            .patch("/api/regions/{name}/entries/{key}", Access.open(), NOTHING)
            .get("/api/endpoints/<path>/stats", Access.open(), NOTHING)
            .get("/api/endpoints/<path>", Access.open(), NOTHING)
            .delete("/api/endpoints/<path>", Access.open(), NOTHING)
            .known(HandlerType.GET, "/api/openapi.json");

    @Test
    void aSlashAcceptingParameterMatchesOneOrMoreSegments() {
        assertThat(routes.allowed("/api/endpoints/a")).containsExactly(HandlerType.GET, HandlerType.DELETE);
        assertThat(routes.allowed("/api/endpoints/session/validate")).containsExactly(HandlerType.GET, HandlerType.DELETE);
        assertThat(routes.allowed("/api/endpoints/a/b/c/stats")).contains(HandlerType.GET);
        assertThat(routes.allowed("/api/endpoints")).isEmpty();
        assertThat(routes.allowed("/api/endpoints/")).isEmpty();
    }

    @Test
    void aConcretePathMatchesItsTemplatesAndListsTheirMethodsInOrder() {
        assertThat(routes.allowed("/api/regions")).containsExactly(HandlerType.GET, HandlerType.POST);
        assertThat(Routes.allowHeader(routes.allowed("/api/regions"))).isEqualTo("GET, POST");
        assertThat(routes.allowed("/api/regions/orders")).containsExactly(HandlerType.GET, HandlerType.DELETE);
        assertThat(routes.allowed("/api/regions/orders/")).as("a trailing slash").containsExactly(HandlerType.GET, HandlerType.DELETE);
        assertThat(Routes.allowHeader(routes.allowed("/api/regions/o/entries/batch-get"))).isEqualTo("GET, POST, PATCH");
        assertThat(routes.allowed("/api/openapi.json")).containsExactly(HandlerType.GET);
    }

    @Test
    void unknownPathsHaveNoMethods() {
        assertThat(routes.allowed("/api/nothing")).isEmpty();
        assertThat(routes.allowed("/api/regions/orders/stats")).isEmpty();
        assertThat(routes.allowed("/api/regions/orders/entries")).isEmpty();
        assertThat(routes.allowed("/")).isEmpty();
        assertThat(routes.allowed("/api/regions/orders/entries/1/x")).isEmpty();
    }
}
