package dev.llmrotate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.testkit.FakeResponse;
import org.junit.jupiter.api.Test;

/** {@code /health} is 200 while some key can serve and 503 when none can, so that load balancers can use it. */
class HealthStatusLoopbackTest {

    @Test
    void degradedWhileSomeKeyServesUnavailableAnd503WhenNoneCan() {
        try (ServerFixture f = new ServerFixture()) {
            f.openai.byDefault().always(FakeResponse.invalidApiKey());
            f.call(ServerFixture.MINI);
            ServerFixture.Reply degraded = f.get("/health");
            assertThat(degraded.status()).isEqualTo(200);
            assertThat(degraded.json().get("status").asText()).isEqualTo("degraded");
            assertThat(degraded.json().get("available_keys").asInt()).isEqualTo(1);

            f.openrouter.byDefault().always(FakeResponse.invalidApiKey());
            f.call("openai/gpt-4o-mini");
            ServerFixture.Reply down = f.get("/health");
            assertThat(down.status()).isEqualTo(503);
            JsonNode health = down.json();
            assertThat(health.get("status").asText()).isEqualTo("unavailable");
            assertThat(health.get("available_keys").asInt()).isZero();
            assertThat(health.get("providers")
                            .get("openai")
                            .get("earliest_retry_at")
                            .asText())
                    .isEqualTo("2026-11-25T10:05:00Z");
            assertThat(f.send("HEAD", "/health").status()).isEqualTo(503);

            JsonNode key = f.get("/keys/openai-b").json();
            assertThat(key.get("state").asText()).isEqualTo("QUARANTINE");
            assertThat(key.get("last_error_type").asText()).isEqualTo("invalid_auth");
            assertThat(key.get("available").asBoolean()).isFalse();
            assertThat(key.get("available_in_seconds").asDouble()).isEqualTo(300.0);
            assertThat(f.get("/keys?state=quarantine").json().get("keys")).hasSize(3);
            // The probes stay up: the process answers even when no key can serve.
            assertThat(f.get("/livez").status()).isEqualTo(200);
            assertThat(f.get("/readyz").status()).isEqualTo(200);
        }
    }
}
