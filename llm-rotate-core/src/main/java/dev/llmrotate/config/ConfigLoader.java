package dev.llmrotate.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.llmrotate.error.ConfigurationException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Reads a configuration from a YAML or JSON file or text, or from the original's registry dictionary as a
 * {@link Map}, and validates it.
 *
 * <p>The schema (snake_case, as in the original):
 *
 * <pre>{@code
 * keys:                       # required: list of key entries
 *   - key_id: openai-1        # required
 *     provider: openai        # required: openai, anthropic, google_ai_studio, google_vertex, openrouter,
 *                             #           azure_openai, aws_bedrock
 *     secret_ref: env://OPENAI_API_KEY   # required: env://NAME, file:///path or literal://value
 *     models: [gpt-4o-mini]   # required, non-empty
 *     auth_method: api_key    # optional; auth_config (map), priority (int), weight (number > 0), regions, tags
 *                             # (lists of strings), rate_limit_rpm (int), rate_limit_tpm (int), enabled (bool),
 *                             # metadata (map)
 * providers:                  # overrides merged field by field over the built-in catalog
 *   openai: {base_url: ..., cooldown_seconds: 30, quarantine_seconds: 300, quota_quarantine_seconds: 3600,
 *            max_retry_after_seconds: 300, connect_timeout_seconds: 10, request_timeout_seconds: 60,
 *            first_chunk_timeout_seconds: 60, stream_idle_timeout_seconds: 30, max_consecutive_failures: 5,
 *            recovery_probe_seconds: 10, stream_recovery: off,     # off, prefill, replay or auto
 *            models: {o3: {first_chunk_timeout_seconds: 180}}}
 *                             # models.<id>: overrides for one model (listed by a key of the provider) of
 *                             # cooldown_seconds, max_consecutive_failures, request_timeout_seconds,
 *                             # first_chunk_timeout_seconds, stream_idle_timeout_seconds, recovery_probe_seconds,
 *                             # stream_recovery
 * defaults: {selection_strategy: health_aware, max_retries: 2, backoff_base_seconds: 0.5, backoff_max_seconds: 8,
 *            call_deadline_seconds: 120, max_wait_for_key_seconds: 30, wait_before_fallback_seconds: 3}
 * use_keys: [openai-1]        # only these keys are used (default: every enabled key)
 * priorities: {openai-1: 10}  # overrides the keys' own priority
 * fallback_chains: {openai: [{provider: openrouter, upstream: openai, model: openai/gpt-4o-mini}]}
 * model_fallbacks: {gpt-4o: [{provider: anthropic, model: claude-sonnet-4-5}]}   # per requested model; wins over
 *                             # the native provider's fallback_chains entry for that model
 * model_providers: {gpt-4o-mini: openai}   # the native provider of a model several providers serve
 * model_capabilities: {my-gpt4o-deployment: {tools: true, images: false}}   # per model id, over the built-in
 *                             # table: tools, json_schema, json_object, reasoning, images; a call using one skips
 *                             # the routes whose model lacks it
 * state_store: {type: redis, url: "redis://localhost:6379", prefix: llm-rotate}   # default: {type: memory};
 *                             # redis needs the llm-rotate-redis module; url may be env://NAME or file:///path
 * }</pre>
 *
 * <p>Every {@code *_seconds} field takes a number of seconds ({@code 30}, {@code 0.25}) or a string with a unit
 * ({@code "250ms"}, {@code "30s"}, {@code "5m"}, {@code "1h"}) or an ISO-8601 duration ({@code "PT30S"}).
 *
 * <p>All problems are collected and thrown together in one {@link ConfigurationException}; each starts with its
 * path, e.g. {@code keys[2].modles: unknown field; did you mean 'models'?}. Messages never contain the value of a
 * {@code literal://} secret, nor a line of the source text.
 *
 * <p>{@code use_keys} given as an argument replaces the document's {@code use_keys}: the argument is the choice of
 * the process loading the file, the file is often shared by several.
 */
public final class ConfigLoader {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private enum Format {
        YAML,
        JSON
    }

    private ConfigLoader() {}

    /** The top-level fields of the schema ({@code keys}, {@code providers}, ...), in the order this page lists them. */
    public static final List<String> FIELDS = RegistryReader.TOP_LEVEL_FIELDS;

    /**
     * Every field name of the schema at any depth, in snake_case ({@code key_id}, {@code max_retries}, ...), for tools
     * that map another naming convention onto it (Spring's relaxed binding). Not the names a user chooses (model ids,
     * key ids, provider names).
     *
     * @return the field names, unmodifiable
     */
    public static Set<String> fieldNames() {
        return FIELD_NAMES;
    }

    private static final Set<String> FIELD_NAMES = RegistryReader.allFieldNames();

    /**
     * Loads a {@code .yaml}/{@code .yml} (YAML) or {@code .json} (JSON) file.
     *
     * @param path the file, at most {@link #MAX_FILE_BYTES}, UTF-8
     * @return the validated configuration
     * @throws ConfigurationException listing every problem, each with its path in the file
     */
    public static LlmRotateConfig fromFile(Path path) {
        return fromFile(path, null);
    }

    /**
     * Loads a {@code .yaml}/{@code .yml} (YAML) or {@code .json} (JSON) file.
     *
     * @param path the file, at most {@link #MAX_FILE_BYTES}, UTF-8
     * @param useKeys when not null, the key ids to use, replacing the file's {@code use_keys}
     * @return the validated configuration
     * @throws ConfigurationException listing every problem, each with its path in the file
     */
    public static LlmRotateConfig fromFile(Path path, List<String> useKeys) {
        if (path == null) {
            throw new ConfigurationException("configuration file path is null");
        }
        Format format = formatOf(path);
        String text = readFile(path);
        return RegistryReader.read(
                parse(text, format, path.toString()),
                path.toString(),
                useKeys,
                path.toAbsolutePath().getParent());
    }

    /**
     * Loads YAML text (a JSON document is valid YAML too).
     *
     * @param text the YAML document
     * @return the validated configuration
     * @throws ConfigurationException listing every problem, each with its path
     */
    public static LlmRotateConfig fromYaml(String text) {
        return RegistryReader.read(parse(text, Format.YAML, "YAML text"), "YAML text", null);
    }

    /**
     * Loads JSON text.
     *
     * @param text the JSON document
     * @return the validated configuration
     * @throws ConfigurationException listing every problem, each with its path
     */
    public static LlmRotateConfig fromJson(String text) {
        return RegistryReader.read(parse(text, Format.JSON, "JSON text"), "JSON text", null);
    }

    /**
     * Loads the original's registry dictionary: {@code keys}, {@code providers}, and optionally {@code defaults},
     * {@code use_keys}, {@code priorities}, {@code fallback_chains}, {@code model_fallbacks}, {@code model_providers}
     * and the other blocks of the file schema. Values are plain strings, numbers, booleans, lists and maps; a
     * {@code secret_ref} may also be a {@link SecretRef} and a duration a {@link java.time.Duration}.
     *
     * @param registry the fields, with nested maps and lists
     * @return the validated configuration
     * @throws ConfigurationException listing every problem, each with its path
     */
    public static LlmRotateConfig fromMap(Map<String, ?> registry) {
        return fromMap(registry, null);
    }

    /**
     * Loads the original's registry dictionary ({@code configure_from_dict(registry, use_keys)}).
     *
     * @param registry the fields, with nested maps and lists (see {@link #fromMap(Map)})
     * @param useKeys when not null, the key ids to use, replacing the registry's {@code use_keys}
     * @return the validated configuration
     * @throws ConfigurationException listing every problem, each with its path
     */
    public static LlmRotateConfig fromMap(Map<String, ?> registry, List<String> useKeys) {
        if (registry == null) {
            throw new ConfigurationException("registry: must not be null");
        }
        return RegistryReader.read(registry, "registry", useKeys);
    }

    /**
     * Loads the registry dictionary from a property tree, as Spring's environment, a {@code .properties} file or
     * environment variables give it: the same fields as {@link #fromMap}, but any scalar may be text, so {@code "3"}
     * reads as 3 where a number is expected, {@code "true"} as a boolean, and {@code "gpt-4o,gpt-4o-mini"} as a list
     * of two where a list is expected.
     *
     * @param tree the fields, with nested maps and lists
     * @param source how the tree is named in a message about it as a whole, e.g. {@code llm-rotate}
     * @return the validated configuration
     * @throws ConfigurationException listing every problem, each with its path
     */
    public static LlmRotateConfig fromPropertyTree(Map<String, ?> tree, String source) {
        if (tree == null) {
            throw new ConfigurationException(source + ": must not be null");
        }
        return RegistryReader.read(tree, source, null, null, true);
    }

    private static Format formatOf(Path path) {
        Path fileName = path.getFileName();
        String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return Format.YAML;
        }
        if (name.endsWith(".json")) {
            return Format.JSON;
        }
        throw new ConfigurationException(
                path + ": unsupported configuration file type; use a .yaml or .yml (YAML) or .json (JSON) file");
    }

    /** Configuration files larger than this are refused before reading (a real one is a few KB). */
    public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    private static String readFile(Path path) {
        try {
            // A FIFO, a device or /dev/zero would block or never end: only regular files, and not huge ones.
            java.nio.file.attribute.BasicFileAttributes attributes =
                    Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new ConfigurationException(path + ": not a regular file (a directory, FIFO or device)");
            }
            byte[] bytes;
            try (java.io.InputStream in = Files.newInputStream(path)) {
                // Bounded even if the file grows after the check, or reports a size it does not have.
                bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
            }
            if (attributes.size() > MAX_FILE_BYTES || bytes.length > MAX_FILE_BYTES) {
                throw new ConfigurationException(
                        path + ": configuration file is larger than the limit of " + MAX_FILE_BYTES + " bytes");
            }
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new ConfigurationException(path + ": configuration file does not exist");
        } catch (AccessDeniedException e) {
            throw new ConfigurationException(path + ": configuration file cannot be read (permission denied)");
        } catch (CharacterCodingException e) {
            throw new ConfigurationException(path + ": configuration file is not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigurationException(path + ": configuration file cannot be read ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }

    /** The document as plain maps, lists and scalars; null for an empty document. */
    private static Object parse(String text, Format format, String source) {
        if (text == null) {
            throw new ConfigurationException(source + ": is null");
        }
        ObjectMapper mapper = format == Format.YAML ? YAML : JSON;
        try {
            JsonNode tree = mapper.readTree(text);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                return null;
            }
            return mapper.treeToValue(tree, Object.class);
        } catch (JsonProcessingException e) {
            throw new ConfigurationException(source + ": malformed " + format + at(e.getLocation()) + ": " + reason(e));
        }
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr()
                + (location.getColumnNr() > 0 ? ", column " + location.getColumnNr() : "");
    }

    /**
     * The parser's description of the problem without the excerpt of the source that SnakeYAML adds (indented lines)
     * and without the text of an unrecognised JSON token: both could show a secret.
     */
    static String reason(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof MismatchedInputException && message.startsWith("Trailing token")) {
            return "unexpected content after the end of the document (one document per file)";
        }
        StringJoiner lines = new StringJoiner("; ");
        for (String line : message.split("\\R")) {
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                lines.add(line.strip());
            }
        }
        String reason = lines.toString().replaceAll("Unrecognized token '[^']*'", "unrecognized token");
        return reason.isEmpty() ? e.getClass().getSimpleName() : reason;
    }
}
