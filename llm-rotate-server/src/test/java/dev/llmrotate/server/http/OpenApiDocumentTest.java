package dev.llmrotate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The OpenAPI document names every route and every parameter the router accepts, and nothing it does not. */
class OpenApiDocumentTest {
    private final ObjectNode doc = OpenApiDocument.tree("9.9.9");

    @Test
    void isOpenApi31WithTheVersion() {
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(doc.get("info").get("version").asText()).isEqualTo("9.9.9");
    }

    @Test
    void documentsExactlyTheRoutesAndTheirParameters() {
        try (LlmRotate lm = LlmRotate.create(LlmRotateConfig.builder()
                .key(KeySpec.builder("k", "openai")
                        .secretRef("env://K")
                        .models("m")
                        .build())
                .build())) {
            ControlRouter router =
                    new ControlRouter(lm, new ControlRouter.Settings(null, null, Clock.systemUTC(), "x", null));
            Set<String> documented = new HashSet<>();
            doc.get("paths").fieldNames().forEachRemaining(documented::add);
            Set<String> routed = new HashSet<>();
            for (ControlRouter.Route route : router.routes()) {
                routed.add(route.template());
                JsonNode get = doc.get("paths").get(route.template()).get("get");
                assertThat(get).as(route.template()).isNotNull();
                assertThat(queryParameters(get)).as(route.template()).isEqualTo(route.parameters());
                boolean open = get.has("security") && get.get("security").isEmpty();
                assertThat(open).as(route.template() + " open").isEqualTo(route.open());
                assertThat(get.get("responses").has("200")).isTrue();
                if (!route.parameters().isEmpty()) {
                    assertThat(get.get("responses").has("400"))
                            .as(route.template())
                            .isTrue();
                }
            }
            assertThat(documented).isEqualTo(routed);
        }
    }

    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(resolve(ref)).as(ref).isNotNull();
        }
    }

    private Set<String> queryParameters(JsonNode operation) {
        Set<String> names = new HashSet<>();
        JsonNode parameters = operation.get("parameters");
        if (parameters != null) {
            for (JsonNode p : parameters) {
                JsonNode resolved = p.has("$ref") ? resolve(p.get("$ref").asText()) : p;
                if (resolved.get("in").asText().equals("query")) {
                    names.add(resolved.get("name").asText());
                }
            }
        }
        return names;
    }

    private JsonNode resolve(String ref) {
        return doc.at(ref.substring(1));
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
    }
}
