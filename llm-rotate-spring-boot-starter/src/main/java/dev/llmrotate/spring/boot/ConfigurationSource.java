package dev.llmrotate.spring.boot;

import dev.llmrotate.config.ConfigLoader;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.core.io.ClassPathResource;

/** Reads the library's configuration from the starter's settings: the inline fields or the configuration file. */
final class ConfigurationSource {
    private static final String CLASSPATH = "classpath:";
    private static final String FILE = "file:";

    private ConfigurationSource() {}

    /**
     * The configuration the settings name.
     *
     * @throws ConfigurationException with the library's messages, each property named with its
     *     {@code llm-rotate.} prefix
     */
    static LlmRotateConfig load(StarterSettings settings) {
        if (settings.configFile() != null) {
            return fromFile(settings.configFile());
        }
        if (settings.config().isEmpty()) {
            throw new ConfigurationException(PropertyTree.PREFIX + ": no configuration; set "
                    + PropertyTree.PREFIX + ".config-file to a YAML or JSON file, or the fields under "
                    + PropertyTree.PREFIX + " (keys, providers, defaults, ...) in application.yml; or "
                    + PropertyTree.PREFIX + ".enabled=false to create no llm-rotate bean");
        }
        try {
            return ConfigLoader.fromPropertyTree(settings.config(), PropertyTree.PREFIX);
        } catch (ConfigurationException e) {
            throw prefixed(e);
        }
    }

    private static LlmRotateConfig fromFile(String location) {
        if (location.startsWith(CLASSPATH)) {
            String name = location.substring(CLASSPATH.length());
            String text = readClasspath(name);
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".json")) {
                return ConfigLoader.fromJson(text);
            }
            if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
                return ConfigLoader.fromYaml(text);
            }
            throw new ConfigurationException(PropertyTree.PREFIX + ".config-file: " + location
                    + ": unsupported configuration file type; use a .yaml or .yml (YAML) or .json (JSON) file");
        }
        String path = location.startsWith(FILE) ? location.substring(FILE.length()) : location;
        return ConfigLoader.fromFile(Path.of(path));
    }

    private static String readClasspath(String name) {
        ClassPathResource resource = new ClassPathResource(name);
        if (!resource.exists()) {
            throw new ConfigurationException(
                    PropertyTree.PREFIX + ".config-file: classpath:" + name + ": no such resource on the class path");
        }
        try (InputStream in = resource.getInputStream()) {
            byte[] bytes = in.readNBytes((int) ConfigLoader.MAX_FILE_BYTES + 1);
            if (bytes.length > ConfigLoader.MAX_FILE_BYTES) {
                throw new ConfigurationException(PropertyTree.PREFIX + ".config-file: classpath:" + name
                        + ": larger than " + ConfigLoader.MAX_FILE_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationException(PropertyTree.PREFIX + ".config-file: classpath:" + name
                    + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The loader's problems with each path as the property it came from: {@code llm-rotate.keys[0].models}. */
    private static ConfigurationException prefixed(ConfigurationException e) {
        List<String> problems = new ArrayList<>();
        for (String problem : e.problems()) {
            problems.add(problem.startsWith(PropertyTree.PREFIX) ? problem : PropertyTree.PREFIX + "." + problem);
        }
        return new ConfigurationException(problems);
    }
}
