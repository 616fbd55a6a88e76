package dev.llmrotate.internal.provider.extra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ToolDefinition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Extra entries scoped to a wire format go, unscoped, to that format only; plain ones go everywhere. */
class ScopedExtraTest {

    @Test
    void eachFormatGetsThePlainEntriesAndItsOwnWithoutTheScope() {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("temperature_hint", 1);
        extra.put("openai:seed", 7);
        extra.put("anthropic:metadata", Map.of("user_id", "u"));
        extra.put("gemini:safetySettings", "x");
        extra.put("bedrock:performanceConfig", "y");

        assertThat(ScopedExtra.forFormat(extra, ScopedExtra.OPENAI))
                .containsExactly(Map.entry("temperature_hint", 1), Map.entry("seed", 7));
        assertThat(ScopedExtra.forFormat(extra, ScopedExtra.ANTHROPIC))
                .containsExactly(Map.entry("temperature_hint", 1), Map.entry("metadata", Map.of("user_id", "u")));
        assertThat(ScopedExtra.forFormat(extra, ScopedExtra.GEMINI))
                .containsExactly(Map.entry("temperature_hint", 1), Map.entry("safetySettings", "x"));
        assertThat(ScopedExtra.forFormat(extra, ScopedExtra.BEDROCK))
                .containsExactly(Map.entry("temperature_hint", 1), Map.entry("performanceConfig", "y"));
        Map<String, Object> plain = Map.of("seed", 1);
        assertThat(ScopedExtra.forFormat(plain, ScopedExtra.OPENAI)).isSameAs(plain);
        assertThat(ScopedExtra.forFormat(Map.of("openaix:seed", 1), ScopedExtra.OPENAI))
                .isEmpty();
        assertThat(ScopedExtra.field("openai:seed")).isEqualTo("seed");
    }

    @Test
    void aScopedEntryCollidesWithTheFirstClassFieldItSets() {
        ToolDefinition tool = ToolDefinition.builder("f")
                .parametersJson("{\"type\":\"object\"}")
                .build();
        assertThatThrownBy(() -> ChatRequest.builder("m")
                        .user("hi")
                        .tools(tool)
                        .extra("openai:tools", java.util.List.of())
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tools and extra 'openai:tools' both set the same request field: set it once, either"
                        + " first-class or through extra");
        assertThat(ChatRequest.builder("m")
                        .user("hi")
                        .extra("openai:toolsx", 1)
                        .tools(tool)
                        .build()
                        .extra())
                .containsKey("openai:toolsx");
    }
}
