package dev.llmrotate.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.EngineTestSupport;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Health reports and usage summaries as JSON, the bodies of /health and /usage endpoints later. */
class ReportJsonTest extends EngineTestSupport {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theHealthReportAsJson() throws Exception {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(45)));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(2).build(),
                        Keys.openai("b"))
                .build());
        lm.chat("gpt-4o-mini", List.of(ChatMessage.user("hi")));

        JsonNode report = json.readTree(lm.health().toJson());
        assertThat(report.get("generated_at").asText()).isEqualTo("2026-11-25T10:00:00Z");
        JsonNode a = report.get("keys").get(0);
        assertThat(a.get("key_id").asText()).isEqualTo("a");
        assertThat(a.get("provider").asText()).isEqualTo("openai");
        assertThat(a.get("key_mask").asText()).isEqualTo("sk-…cdef");
        assertThat(a.get("state").asText()).isEqualTo("COOLDOWN");
        assertThat(a.get("available_at").asText()).isEqualTo("2026-11-25T10:00:45Z");
        assertThat(a.get("consecutive_failures").asInt()).isEqualTo(1);
        assertThat(a.get("recent_failures").asInt()).isEqualTo(1);
        assertThat(a.get("last_error_type").asText()).isEqualTo("rate_limit");
        assertThat(a.get("last_failure_at").asText()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(a.get("last_success_at").isNull()).isTrue();
        JsonNode openaiReport = report.get("providers").get("openai");
        assertThat(openaiReport.get("available_keys").asInt()).isEqualTo(1);
        assertThat(openaiReport.get("total_keys").asInt()).isEqualTo(2);
        assertThat(openaiReport.get("earliest_retry_at").isNull()).isTrue();
        assertThat(lm.health().toJson()).doesNotContain(secret("a"));
    }

    @Test
    void theUsageSummaryAsJson() throws Exception {
        openai.byDefault().always(FakeResponse.ok("x", 1000, 100));
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        lm.chat("gpt-4o-mini", List.of(ChatMessage.user("hi")));
        JsonNode usage = json.readTree(lm.usageSummary().toJson());
        JsonNode overall = usage.get("overall");
        assertThat(overall.get("calls").asLong()).isEqualTo(1);
        assertThat(overall.get("successes").asLong()).isEqualTo(1);
        assertThat(overall.get("input_tokens").asLong()).isEqualTo(1000);
        assertThat(overall.get("total_tokens").asLong()).isEqualTo(1100);
        assertThat(overall.get("cost_usd").asDouble()).isEqualTo((1000 * 0.15 + 100 * 0.60) / 1e6);
        assertThat(overall.get("latency").get("p50_ms").asDouble()).isPositive();
        assertThat(usage.get("by_provider").get("openai").get("calls").asLong()).isEqualTo(1);
        assertThat(usage.get("by_model").get("gpt-4o-mini").get("calls").asLong())
                .isEqualTo(1);
        assertThat(usage.get("by_key").get("a").get("failures_by_type").size()).isZero();
    }
}
