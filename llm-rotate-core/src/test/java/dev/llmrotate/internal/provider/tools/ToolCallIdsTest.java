package dev.llmrotate.internal.provider.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tool-call ids every provider takes, computed without any state. */
class ToolCallIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"call_abc123", "toolu_01A09q90qw90lq917835lq9", "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "a"})
    void idsEveryProviderTakesAreSentAsTheyAre(String id) {
        assertThat(ToolCallIds.portable(id)).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "functions.get_weather:0", // Kimi/Moonshot through OpenAI-compatible servers
                "call|0|abc",
                "fc_0f0e50a1476a6c35006912c58dc9f8819192c25864eb16f07f", // longer than OpenAI's 40
                "id with spaces",
            })
    void otherIdsBecomeAFixedPortableId(String id) {
        String portable = ToolCallIds.portable(id);
        assertThat(portable).matches(ToolCallIds.PATTERN).startsWith("call_").hasSize(37);
        assertThat(ToolCallIds.portable(id)).isEqualTo(portable); // the same in every request and process
        assertThat(ToolCallIds.portable(portable)).isEqualTo(portable); // and stable when sent again
    }

    @Test
    void differentIdsStayDifferent() {
        assertThat(ToolCallIds.portable("functions.get_weather:0"))
                .isNotEqualTo(ToolCallIds.portable("functions.get_weather:1"));
        // Pinned: processes (and versions) that share a conversation must map an id the same way.
        assertThat(ToolCallIds.portable("functions.get_weather:0")).isEqualTo("call_eawaqrIWsijHqyJBGyPM-jnLQgeIAeMs");
    }
}
