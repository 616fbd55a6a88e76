package dev.llmrotate.spring.boot;

import dev.llmrotate.error.ConfigurationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * Everything under {@code llm-rotate} in Spring's environment, as the nested maps and lists the library's loader reads
 * ({@code ConfigLoader.fromPropertyTree}), with field names in the loader's snake_case whatever form the user wrote:
 * {@code key-id}, {@code keyId}, {@code key_id} and an environment variable's {@code KEYID} all read as {@code key_id}.
 *
 * <p>Names the user chose stay as written: model ids, key ids and metadata keys (the maps in {@link #VERBATIM_KEYS}).
 * A model id with a dot must be written in brackets, as for any Spring map key: {@code "[gemini-2.0-flash]"}.
 *
 * <p>Precedence is Spring's: a value comes from the first property source that has it, and a list from the first
 * source that has any element of it (a list is never stitched together from two sources).
 */
final class PropertyTree {
    static final String PREFIX = "llm-rotate";
    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);
    /** A placeholder's name and, when it has one, its default ({@code ${name:default}}). */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]+)(:[^}]*)?}");

    /**
     * The maps whose keys the user chose (path of the map in snake_case, {@code *} for any key and {@code []} for any
     * index): their keys are kept as written.
     */
    private static final Set<String> VERBATIM_KEYS = Set.of(
            "priorities",
            "providers.*.models",
            "model_fallbacks",
            "model_providers",
            "model_capabilities",
            "keys[].metadata");

    /** The maps keyed by provider name: their keys are snake_case names like the fields'. */
    private static final Set<String> PROVIDER_KEYS = Set.of("providers", "fallback_chains");

    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Map<String, Object> listOwners = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Environment environment;
    private final Set<String> knownFields;

    private PropertyTree(Environment environment, Set<String> knownFields) {
        this.environment = environment;
        this.knownFields = knownFields;
    }

    /**
     * The tree of {@code llm-rotate.*} in {@code environment}.
     *
     * @param knownFields every snake_case field name of the schema, to recognise names written without separators
     *     (environment variables: {@code LLMROTATE_DEFAULTS_MAXRETRIES})
     */
    static Map<String, Object> of(Environment environment, Set<String> knownFields) {
        PropertyTree tree = new PropertyTree(environment, knownFields);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source instanceof IterableConfigurationPropertySource iterable) {
                iterable.stream().filter(ROOT::isAncestorOf).forEach(name -> tree.add(source, name));
            }
        }
        if (!tree.problems.isEmpty()) {
            throw new ConfigurationException(tree.problems);
        }
        return tree.root;
    }

    private void add(ConfigurationPropertySource source, ConfigurationPropertyName name) {
        ConfigurationProperty property = source.getConfigurationProperty(name);
        if (property == null || property.getValue() == null) {
            return;
        }
        Object value = property.getValue();
        if (value instanceof String text && text.contains("${")) {
            try {
                value = environment.resolveRequiredPlaceholders(text);
            } catch (IllegalArgumentException e) {
                // Not Spring's message: it quotes the whole value, which may hold a literal secret.
                problems.add(name + ": " + unresolved(text));
                return;
            }
        }
        Object container = root;
        StringBuilder concrete = new StringBuilder();
        StringBuilder schema = new StringBuilder();
        int last = name.getNumberOfElements() - 1;
        for (int i = ROOT.getNumberOfElements(); i <= last; i++) {
            boolean index = name.isNumericIndex(i);
            Object key;
            if (index) {
                key = Integer.valueOf(name.getElement(i, Form.ORIGINAL));
                // A list belongs to the first source that has any of its elements.
                Object owner = listOwners.putIfAbsent(concrete.toString(), source);
                if (owner != null && owner != source) {
                    return;
                }
                concrete.append('[').append(key).append(']');
                schema.append("[]");
            } else {
                String parent = schema.toString();
                boolean bracketed = name.chop(i + 1).isLastElementIndexed();
                String element = name.getElement(i, Form.ORIGINAL);
                String field;
                if (bracketed || VERBATIM_KEYS.contains(parent)) {
                    field = element;
                } else {
                    field = fieldName(element);
                }
                boolean userKey = bracketed || VERBATIM_KEYS.contains(parent) || PROVIDER_KEYS.contains(parent);
                key = field;
                String separator = concrete.length() == 0 ? "" : ".";
                concrete.append(separator).append(field);
                schema.append(separator).append(userKey ? "*" : field);
            }
            boolean leaf = i == last;
            Object next = child(container, key, leaf ? value : null, !leaf && name.isNumericIndex(i + 1));
            if (next == null) {
                return; // a value or another shape is there already, from a source that comes first
            }
            container = next;
        }
    }

    /** Names the placeholders of {@code text} the environment lacks (those without a default), never the text. */
    private String unresolved(String text) {
        List<String> missing = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (m.group(2) == null && !environment.containsProperty(m.group(1))) {
                missing.add("${" + m.group(1) + "}");
            }
        }
        return missing.isEmpty()
                ? "a ${...} placeholder cannot be resolved"
                : "cannot resolve the placeholder" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing);
    }

    /**
     * The child {@code key} of {@code container}, created when missing: {@code value} for a leaf, else a list or a
     * map. Null when the slot holds something else already (an earlier source's value wins).
     */
    @SuppressWarnings("unchecked")
    private static Object child(Object container, Object key, Object value, boolean listChild) {
        Object existing;
        if (container instanceof Map<?, ?> map) {
            existing = map.get(key);
        } else if (container instanceof List<?> list && key instanceof Integer index) {
            existing = index < list.size() ? list.get(index) : null;
        } else {
            return null;
        }
        if (existing != null) {
            boolean fits = value == null && (listChild ? existing instanceof List<?> : existing instanceof Map<?, ?>);
            return fits ? existing : null;
        }
        Object created = value != null ? value : listChild ? new ArrayList<>() : new LinkedHashMap<String, Object>();
        if (container instanceof Map<?, ?> map) {
            ((Map<Object, Object>) map).put(key, created);
        } else {
            List<Object> list = (List<Object>) container;
            int index = (Integer) key;
            while (list.size() <= index) {
                list.add(null);
            }
            list.set(index, created);
        }
        return created;
    }

    /**
     * The snake_case field name for {@code element} as written: {@code key-id}, {@code keyId} and {@code key_id} give
     * {@code key_id}; a name without separators that matches a known field ignoring them ({@code keyid}) gives that
     * field.
     */
    String fieldName(String element) {
        StringBuilder snake = new StringBuilder();
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (c == '-' || c == '_') {
                snake.append('_');
            } else if (Character.isUpperCase(c)) {
                if (snake.length() > 0 && snake.charAt(snake.length() - 1) != '_') {
                    snake.append('_');
                }
                snake.append(Character.toLowerCase(c));
            } else {
                snake.append(c);
            }
        }
        String name = snake.toString().toLowerCase(Locale.ROOT);
        if (knownFields.contains(name)) {
            return name;
        }
        String squashed = name.replace("_", "");
        for (String known : knownFields) {
            if (known.replace("_", "").equals(squashed)) {
                return known;
            }
        }
        return name;
    }
}
