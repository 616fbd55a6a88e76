package dev.llmrotate.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.config.LlmRotateConfig;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The starter's field names and IDE metadata agree with the library's loader. */
class ConfigMetadataTest {

    @Test
    void everyFieldTheLoaderKnowsIsKnownToTheStarter() throws Exception {
        List<String> loaderFields = new ArrayList<>();
        Class<?> reader = Class.forName("dev.llmrotate.config.RegistryReader");
        for (Field field : reader.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && field.getName().endsWith("FIELDS")
                    && List.class.isAssignableFrom(field.getType())) {
                field.setAccessible(true);
                for (Object name : (List<?>) field.get(null)) {
                    loaderFields.add((String) name);
                }
            }
        }
        assertThat(loaderFields).hasSizeGreaterThan(40);
        assertThat(ConfigMetadata.fieldNames()).containsAll(loaderFields);
        Field topLevel = reader.getDeclaredField("TOP_LEVEL_FIELDS");
        topLevel.setAccessible(true);
        assertThat(StarterSettings.CONFIG_FIELDS).isEqualTo(topLevel.get(null));
        assertThat(LlmRotateConfig.MODULE_BLOCKS)
                .allSatisfy(b -> assertThat(StarterSettings.CONFIG_FIELDS).contains(b));
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
