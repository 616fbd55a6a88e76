package dev.llmrotate.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Model prices for cost estimates: a built-in table for the current models of the seven providers, overridable
 * from configuration and loadable from a file in LiteLLM's {@code model_prices_and_context_window.json} format
 * (unknown fields ignored). A model without a price gets a null cost, never a silent 0.
 *
 * <p>Lookup tries the model id as given, then forms without a broker prefix ({@code openai/gpt-4o-mini}), a
 * Bedrock region or vendor prefix and version suffix ({@code us.anthropic.claude-…-v1:0}), a date suffix
 * ({@code -2024-08-06}, {@code -20251001}) and with dots in version numbers as dashes ({@code claude-haiku-4.5});
 * at each step a price for the same provider wins over one for another provider.
 */
public final class Pricing {
    private static final Pattern DATE_SUFFIX = Pattern.compile("-(\\d{4}-\\d{2}-\\d{2}|\\d{8})$");
    private static final Pattern BEDROCK_VERSION = Pattern.compile("-v\\d+(:\\d+)?$");
    private static final Pattern BEDROCK_REGION = Pattern.compile("^(us|eu|apac|global|jp|au|ca)\\.");
    private static final Pattern VERSION_DOT = Pattern.compile("(\\d)\\.(\\d)");
    private static final Map<String, String> LITELLM_PROVIDERS = Map.ofEntries(
            Map.entry("openai", ProviderCatalog.OPENAI),
            Map.entry("anthropic", ProviderCatalog.ANTHROPIC),
            Map.entry("gemini", ProviderCatalog.GOOGLE_AI_STUDIO),
            Map.entry("vertex_ai", ProviderCatalog.GOOGLE_VERTEX),
            Map.entry("vertex_ai-language-models", ProviderCatalog.GOOGLE_VERTEX),
            Map.entry("vertex_ai-anthropic_models", ProviderCatalog.GOOGLE_VERTEX),
            Map.entry("openrouter", ProviderCatalog.OPENROUTER),
            Map.entry("azure", ProviderCatalog.AZURE_OPENAI),
            Map.entry("bedrock", ProviderCatalog.AWS_BEDROCK),
            Map.entry("bedrock_converse", ProviderCatalog.AWS_BEDROCK));

    /** model id -> provider (or "" for any) -> price. */
    private final Map<String, Map<String, ModelPrice>> prices;
    /** Lookups already resolved (provider, then model), hits and misses: no string work after the first call. */
    private final Map<String, Map<String, Object>> resolved = new ConcurrentHashMap<>();

    private static final Object MISSING = new Object();

    private Pricing(Map<String, Map<String, ModelPrice>> prices) {
        this.prices = prices;
    }

    /**
     * The built-in table only.
     *
     * @return the prices shipped in the jar
     */
    public static Pricing builtIn() {
        return builder().build();
    }

    /**
     * A builder that starts from the built-in table.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The price of {@code model} on {@code provider}. Thread-safe; lookups are cached.
     *
     * @param provider the provider id, or null for a price of any provider
     * @param model the model id as sent or answered, in any of the forms above; null gives null
     * @return the price, or null when the table has none
     */
    public ModelPrice price(String provider, String model) {
        if (model == null) {
            return null;
        }
        Map<String, Object> byModel =
                resolved.computeIfAbsent(provider == null ? "" : provider, p -> new ConcurrentHashMap<>());
        Object hit = byModel.get(model);
        if (hit == null) {
            ModelPrice found = lookup(provider, model);
            hit = found == null ? MISSING : found;
            if (byModel.size() < 10_000) { // callers may send arbitrary model ids: bound the cache
                byModel.put(model, hit);
            }
        }
        return hit == MISSING ? null : (ModelPrice) hit;
    }

    /**
     * The estimated cost of a call; see {@link ModelPrice#cost}.
     *
     * @param provider the provider id, or null for a price of any provider
     * @param model the model id, as for {@link #price}
     * @param inputTokens prompt tokens, cached ones included
     * @param cachedInputTokens of those, the ones read from cache
     * @param outputTokens completion tokens, reasoning included
     * @return the cost in USD, or null when the model has no price
     */
    public Double cost(String provider, String model, long inputTokens, long cachedInputTokens, long outputTokens) {
        ModelPrice price = price(provider, model);
        return price == null ? null : price.cost(inputTokens, cachedInputTokens, outputTokens);
    }

    private ModelPrice lookup(String provider, String model) {
        for (String candidate : candidates(model)) {
            Map<String, ModelPrice> byProvider = prices.get(candidate);
            if (byProvider == null) {
                continue;
            }
            ModelPrice exact = byProvider.get(provider == null ? "" : provider);
            if (exact != null) {
                return exact;
            }
            ModelPrice any = byProvider.get("");
            if (any != null) {
                return any;
            }
            // OpenRouter, Azure and Bedrock resell the same models: another provider's list price is the estimate.
            return byProvider.values().iterator().next();
        }
        return null;
    }

    private static List<String> candidates(String model) {
        String id = model.toLowerCase(Locale.ROOT);
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        out.add(id);
        String bare = id.contains("/") ? id.substring(id.lastIndexOf('/') + 1) : id;
        out.add(bare);
        String regionless = BEDROCK_REGION.matcher(bare).replaceFirst("");
        out.add(regionless);
        String bedrock = BEDROCK_VERSION.matcher(regionless).replaceFirst("");
        int vendor = bedrock.indexOf('.');
        if (vendor > 0 && !Character.isDigit(bedrock.charAt(vendor - 1))) {
            bedrock = bedrock.substring(vendor + 1);
        }
        out.add(bedrock);
        for (String form : List.copyOf(out)) {
            String undated = DATE_SUFFIX.matcher(form).replaceFirst("");
            out.add(undated);
            out.add(VERSION_DOT.matcher(undated).replaceAll("$1-$2"));
        }
        return List.copyOf(out);
    }

    /** Price files larger than this are refused before parsing (LiteLLM's whole table is about 1 MB). */
    public static final int MAX_FILE_BYTES = 32 * 1024 * 1024;

    /**
     * Builds a {@link Pricing}: the built-in table, then files and single prices in the order given, later ones
     * winning. Not thread-safe.
     */
    public static final class Builder {
        private final Map<String, Map<String, ModelPrice>> prices = new HashMap<>();

        private Builder() {
            try (InputStream in = Pricing.class.getResourceAsStream("/dev/llmrotate/observe/prices.json")) {
                if (in == null) {
                    throw new IllegalStateException("the built-in price table is missing from the jar");
                }
                readLiteLlm(new ObjectMapper().readTree(in), "built-in price table");
            } catch (IOException e) {
                throw new UncheckedIOException("the built-in price table cannot be read", e);
            }
        }

        /**
         * Adds every priced model of a file in LiteLLM's format; entries without token prices (image, audio models)
         * are skipped.
         *
         * @param path a {@code model_prices_and_context_window.json}-style file
         * @return this
         * @throws ConfigurationException when the file is missing, unreadable or not a JSON object of models
         */
        public Builder file(Path path) {
            byte[] bytes = read(path);
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(bytes);
            } catch (IOException e) {
                throw new ConfigurationException("pricing.file: " + path + " is not valid JSON ("
                        + e.getClass().getSimpleName() + ")");
            }
            readLiteLlm(root, path.toString());
            return this;
        }

        /** A price file's bytes: a regular file (a FIFO or device would block or never end), not a huge one. */
        private static byte[] read(Path path) {
            try {
                if (!Files.readAttributes(path, BasicFileAttributes.class).isRegularFile()) {
                    throw new ConfigurationException(
                            "pricing.file: " + path + " is not a regular file (a directory, FIFO or device)");
                }
                byte[] bytes;
                try (InputStream in = Files.newInputStream(path)) {
                    bytes = in.readNBytes(MAX_FILE_BYTES + 1);
                }
                if (bytes.length > MAX_FILE_BYTES) {
                    throw new ConfigurationException(
                            "pricing.file: " + path + " is larger than " + MAX_FILE_BYTES + " bytes");
                }
                return bytes;
            } catch (NoSuchFileException e) {
                throw new ConfigurationException("pricing.file: " + path + " does not exist");
            } catch (AccessDeniedException e) {
                throw new ConfigurationException("pricing.file: " + path + " cannot be read (permission denied)");
            } catch (IOException e) {
                throw new ConfigurationException("pricing.file: " + path + " cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
        }

        /**
         * Sets the price of {@code model}; {@code provider} null applies to any provider.
         *
         * @param provider the provider id, or null for any provider
         * @param model the model id, not null (matched without regard to case)
         * @param price the price
         * @return this
         */
        public Builder price(String provider, String model, ModelPrice price) {
            prices.computeIfAbsent(model.toLowerCase(Locale.ROOT), m -> new HashMap<>())
                    .put(provider == null ? "" : provider, price);
            return this;
        }

        private void readLiteLlm(JsonNode root, String source) {
            if (root == null || !root.isObject()) {
                throw new ConfigurationException("pricing.file: " + source + " must hold a JSON object of models");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                JsonNode spec = entry.getValue();
                JsonNode input = spec.get("input_cost_per_token");
                JsonNode output = spec.get("output_cost_per_token");
                if (entry.getKey().equals("sample_spec")
                        || !spec.isObject()
                        || input == null
                        || output == null
                        || !input.isNumber()
                        || !output.isNumber()) {
                    continue; // sample_spec, image or audio models, entries without token prices
                }
                JsonNode cached = spec.get("cache_read_input_token_cost");
                String provider =
                        LITELLM_PROVIDERS.get(spec.path("litellm_provider").asText(""));
                String model = entry.getKey();
                int slash = model.indexOf('/');
                if (slash > 0 && LITELLM_PROVIDERS.containsKey(model.substring(0, slash))) {
                    model = model.substring(slash + 1); // "azure/gpt-4o" is gpt-4o on azure_openai
                }
                price(
                        provider,
                        model,
                        new ModelPrice(
                                input.asDouble() * 1_000_000,
                                output.asDouble() * 1_000_000,
                                cached != null && cached.isNumber() ? cached.asDouble() * 1_000_000 : null));
            }
        }

        /**
         * The prices added so far; the builder can go on.
         *
         * @return an immutable, thread-safe table
         */
        public Pricing build() {
            Map<String, Map<String, ModelPrice>> copy = new HashMap<>();
            prices.forEach((model, byProvider) -> copy.put(model, Map.copyOf(byProvider)));
            return new Pricing(Map.copyOf(copy));
        }
    }
}
