package dev.llmrotate.spring.boot;

import dev.llmrotate.config.ConfigLoader;
import dev.llmrotate.config.Suggestions;
import dev.llmrotate.error.ConfigurationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The starter's own settings under {@code llm-rotate}, beside the library's configuration fields, and the
 * configuration fields themselves, split from one {@link PropertyTree}.
 *
 * @param enabled false to create no bean at all ({@code llm-rotate.enabled})
 * @param configFile where the configuration is read from instead of the inline fields, or null
 *     ({@code llm-rotate.config-file}: a path, {@code file:} or {@code classpath:} location)
 * @param defaultModel the model the LangChain4j and Spring AI models ask for when a request names none, or null
 * @param metricsEnabled false to keep llm-rotate's meters off the application's {@code MeterRegistry}
 * @param genAiTokenUsage whether llm-rotate reports {@code gen_ai.client.token.usage}, or null to decide by whether
 *     Spring AI (which reports that name itself, in another shape) is on the class path
 * @param controlServer the control server's settings
 * @param config the library's configuration fields (everything else under {@code llm-rotate})
 */
record StarterSettings(
        boolean enabled,
        String configFile,
        String defaultModel,
        boolean metricsEnabled,
        Boolean genAiTokenUsage,
        ControlServer controlServer,
        Map<String, Object> config) {

    /** The top-level fields of the library's configuration (the YAML file's). */
    static final List<String> CONFIG_FIELDS = ConfigLoader.FIELDS;

    /** The starter's own top-level fields. */
    static final List<String> OWN_FIELDS =
            List.of("enabled", "config_file", "default_model", "metrics", "control_server");

    static final List<String> METRICS_FIELDS = List.of("enabled", "gen_ai_token_usage");
    static final List<String> CONTROL_SERVER_FIELDS =
            List.of("enabled", "host", "port", "token", "cors_origin", "allow_unauthenticated");

    /**
     * The control server started beside the application ({@code llm-rotate.control-server.*}).
     *
     * @param enabled true to start it
     * @param host the address to bind (loopback by default)
     * @param port the port (8200 by default; 0 picks a free one)
     * @param token the bearer token its endpoints require, or null
     * @param corsOrigin the one origin browsers may read answers from, or null
     * @param allowUnauthenticated true to serve a non-loopback address without a token
     */
    record ControlServer(
            boolean enabled, String host, Integer port, String token, String corsOrigin, boolean allowUnauthenticated) {
        /** Never the token's value. */
        @Override
        public String toString() {
            return "ControlServer[enabled=" + enabled + ", host=" + host + ", port=" + port + ", token="
                    + (token == null ? "none" : "***") + ", corsOrigin=" + corsOrigin + "]";
        }
    }

    /** Never a configuration value (a literal secret may be among them): only which fields are set. */
    @Override
    public String toString() {
        return "StarterSettings[enabled=" + enabled + ", configFile=" + configFile + ", defaultModel=" + defaultModel
                + ", metricsEnabled=" + metricsEnabled + ", " + controlServer + ", config fields=" + config.keySet()
                + "]";
    }

    /**
     * Splits {@code tree} into the starter's settings and the configuration fields.
     *
     * @throws ConfigurationException listing every problem, each named by its property
     */
    static StarterSettings from(Map<String, Object> tree) {
        List<String> problems = new ArrayList<>();
        List<String> allTopLevel = new ArrayList<>(CONFIG_FIELDS);
        allTopLevel.addAll(OWN_FIELDS);
        unknownFields(tree, "", allTopLevel, problems);
        Map<String, Object> config = new LinkedHashMap<>(tree);
        OWN_FIELDS.forEach(config::remove);

        boolean enabled = bool(tree.get("enabled"), "enabled", true, problems);
        String configFile = text(tree.get("config_file"), "config-file", problems);
        String defaultModel = text(tree.get("default_model"), "default-model", problems);
        Map<String, Object> metrics = block(tree.get("metrics"), "metrics", METRICS_FIELDS, problems);
        boolean metricsEnabled = bool(metrics.get("enabled"), "metrics.enabled", true, problems);
        Boolean genAiTokenUsage = metrics.get("gen_ai_token_usage") == null
                ? null
                : bool(metrics.get("gen_ai_token_usage"), "metrics.gen-ai-token-usage", true, problems);
        Map<String, Object> server =
                block(tree.get("control_server"), "control-server", CONTROL_SERVER_FIELDS, problems);
        ControlServer controlServer = new ControlServer(
                bool(server.get("enabled"), "control-server.enabled", false, problems),
                text(server.get("host"), "control-server.host", problems),
                port(server.get("port"), "control-server.port", problems),
                text(server.get("token"), "control-server.token", problems),
                text(server.get("cors_origin"), "control-server.cors-origin", problems),
                bool(server.get("allow_unauthenticated"), "control-server.allow-unauthenticated", false, problems));
        if (configFile != null && !config.isEmpty()) {
            problems.add(PropertyTree.PREFIX + ".config-file: set either a configuration file or the configuration "
                    + "fields under " + PropertyTree.PREFIX + " (" + String.join(", ", config.keySet())
                    + "), not both");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        return new StarterSettings(
                enabled, configFile, defaultModel, metricsEnabled, genAiTokenUsage, controlServer, config);
    }

    private static Map<String, Object> block(Object value, String path, List<String> fields, List<String> problems) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(PropertyTree.PREFIX + "." + path + ": expected a block of settings ("
                    + String.join(", ", kebab(fields)) + ")");
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> block = (Map<String, Object>) map;
        unknownFields(block, path + ".", fields, problems);
        return block;
    }

    private static void unknownFields(
            Map<String, Object> map, String pathPrefix, List<String> known, List<String> problems) {
        for (String field : map.keySet()) {
            if (!known.contains(field)) {
                problems.add(PropertyTree.PREFIX + "." + pathPrefix + kebab(field) + ": unknown property"
                        + suggestion(field, known));
            }
        }
    }

    private static String text(Object value, String path, List<String> problems) {
        if (value == null || value instanceof String || value instanceof Number) {
            return value == null || value.toString().isBlank()
                    ? null
                    : value.toString().strip();
        }
        problems.add(PropertyTree.PREFIX + "." + path + ": expected a single value, got a block");
        return null;
    }

    private static boolean bool(Object value, String path, boolean absent, List<String> problems) {
        if (value == null) {
            return absent;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String word = value.toString().strip();
        if (word.equalsIgnoreCase("true") || word.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(word);
        }
        problems.add(PropertyTree.PREFIX + "." + path + ": expected true or false, got '" + word + "'");
        return absent;
    }

    private static Integer port(Object value, String path, List<String> problems) {
        if (value == null) {
            return null;
        }
        try {
            int port = Integer.parseInt(value.toString().strip());
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(PropertyTree.PREFIX + "." + path + ": expected a port number from 0 to 65535, got '"
                + value.toString().strip() + "'");
        return null;
    }

    static String kebab(String snake) {
        return snake.replace('_', '-');
    }

    private static List<String> kebab(List<String> snake) {
        return snake.stream().map(StarterSettings::kebab).toList();
    }

    /** {@code ; did you mean 'x'?} for the closest known name, in the kebab-case application.yml uses. */
    static String suggestion(String name, List<String> known) {
        return Suggestions.didYouMean(name, known).replace('_', '-');
    }
}
