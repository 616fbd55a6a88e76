package dev.llmrotate.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.config.ConfigLoader;
import dev.llmrotate.config.LlmRotateConfig;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The starter's field names and IDE metadata agree with the library's loader. */
class ConfigMetadataTest {

    @Test
    void theStarterKnowsTheLoadersFieldsAndItsOwn() {
        assertThat(ConfigMetadata.fieldNames())
                .containsAll(ConfigLoader.fieldNames())
                .contains("key_id", "max_retries", "first_chunk_timeout_seconds", "json_schema", "gen_ai_token_usage");
        assertThat(StarterSettings.CONFIG_FIELDS).containsAll(LlmRotateConfig.MODULE_BLOCKS);
        assertThat(StarterSettings.OWN_FIELDS).doesNotContainAnyElementsOf(StarterSettings.CONFIG_FIELDS);
    }

    @Test
    void theIdeMetadataNamesOnlyKnownFieldsAndCoversEveryTopLevelOne() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            metadata = new ObjectMapper().readTree(in);
        }
        Set<String> known = ConfigMetadata.fieldNames();
        List<String> topLevel = new ArrayList<>();
        for (JsonNode property : metadata.get("properties")) {
            String name = property.get("name").asText();
            assertThat(name).startsWith("llm-rotate.");
            assertThat(property.get("description").asText()).isNotBlank();
            String[] segments = name.substring("llm-rotate.".length()).split("\\.");
            for (String segment : segments) {
                assertThat(known).as(name).contains(segment.replace('-', '_'));
            }
            topLevel.add(segments[0].replace('-', '_'));
        }
        assertThat(topLevel).containsAll(StarterSettings.CONFIG_FIELDS).containsAll(StarterSettings.OWN_FIELDS);
    }
}
