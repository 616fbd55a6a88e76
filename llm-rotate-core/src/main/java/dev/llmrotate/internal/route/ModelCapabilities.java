package dev.llmrotate.internal.route;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.config.ModelCapability;
import dev.llmrotate.config.ProviderCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a model can take, as a bit set of {@link ModelCapability} (bit {@code 1 << ordinal}): a built-in table of the
 * model families known to lack a capability, then the configuration's {@code model_capabilities} over it.
 *
 * <p>The table only refuses what the providers document as not working; a model it does not know (a new model, an
 * Azure deployment name, a custom adapter's model) has every capability, and {@code model_capabilities} says
 * otherwise. Rows match the model id after the routing prefixes are taken off: OpenRouter's {@code vendor/} and
 * Bedrock's geographic inference-profile prefix ({@code us.}, {@code eu.}, ...); the first matching row wins.
 */
public final class ModelCapabilities {
    /** Every capability: a model the table does not know, and the plain path's fast check. */
    public static final int ALL = (1 << ModelCapability.values().length) - 1;

    private static final int TOOLS = bit(ModelCapability.TOOLS);
    private static final int JSON_SCHEMA = bit(ModelCapability.JSON_SCHEMA);
    private static final int JSON_OBJECT = bit(ModelCapability.JSON_OBJECT);
    private static final int REASONING = bit(ModelCapability.REASONING);
    private static final int IMAGES = bit(ModelCapability.IMAGES);

    private static final Set<String> OPENAI_MODELS =
            Set.of(ProviderCatalog.OPENAI, ProviderCatalog.AZURE_OPENAI, ProviderCatalog.OPENROUTER);
    private static final Set<String> CLAUDE_MODELS =
            Set.of(ProviderCatalog.ANTHROPIC, ProviderCatalog.AWS_BEDROCK, ProviderCatalog.OPENROUTER);
    private static final Set<String> GEMINI_MODELS =
            Set.of(ProviderCatalog.GOOGLE_AI_STUDIO, ProviderCatalog.GOOGLE_VERTEX, ProviderCatalog.OPENROUTER);
    private static final Set<String> BEDROCK_MODELS = Set.of(ProviderCatalog.AWS_BEDROCK);

    /** Bedrock's cross-region inference profiles put a geography before the model id. */
    private static final Pattern BEDROCK_GEOGRAPHY = Pattern.compile("^(us|eu|apac|us-gov|jp|au|ca|global)\\.");

    /** A model family: the providers that serve it under these ids, and what it lacks. */
    private record Family(Set<String> providers, Pattern id, int lacks) {
        Family(Set<String> providers, String regex, int lacks) {
            this(providers, Pattern.compile(regex), lacks);
        }
    }

    private static final List<Family> TABLE = List.of(
            // OpenAI, https://platform.openai.com/docs/models and the function-calling / structured-outputs guides:
            // the completion and embedding models take no chat features at all.
            new Family(
                    OPENAI_MODELS,
                    "gpt-3\\.5-turbo-instruct.*|davinci-002|babbage-002|text-embedding-.*|text-davinci-.*",
                    ALL),
            // o1-mini and o1-preview answer "Unsupported parameter: 'tools'" and refuse json_schema; text only.
            new Family(OPENAI_MODELS, "o1-(mini|preview).*", TOOLS | JSON_SCHEMA | JSON_OBJECT | IMAGES),
            // o3-mini: tools and structured outputs, but no vision.
            new Family(OPENAI_MODELS, "o3-mini.*", IMAGES),
            // GPT-3.5 Turbo: tools and JSON mode; no Structured Outputs, no vision, no reasoning effort.
            new Family(OPENAI_MODELS, "gpt-3\\.5-turbo.*|gpt-35-turbo.*", JSON_SCHEMA | IMAGES | REASONING),
            // GPT-4 (0314, 0613, 32k): tools only; JSON mode came with gpt-4-turbo, vision with gpt-4-turbo too.
            new Family(OPENAI_MODELS, "gpt-4(-0314|-0613|-32k.*)?", JSON_SCHEMA | JSON_OBJECT | IMAGES | REASONING),
            // GPT-4 Turbo and its previews: no Structured Outputs (gpt-4o-2024-08-06 and later), no reasoning.
            new Family(OPENAI_MODELS, "gpt-4-(turbo|1106|0125|vision).*", JSON_SCHEMA | REASONING),
            // The first GPT-4o snapshot predates Structured Outputs.
            new Family(OPENAI_MODELS, "gpt-4o-2024-05-13", JSON_SCHEMA | REASONING),
            // GPT-4o and GPT-4.1 are not reasoning models: reasoning_effort is an unsupported parameter there.
            new Family(OPENAI_MODELS, "(chatgpt-)?gpt-4o.*|gpt-4\\.1.*", REASONING),
            // Anthropic, https://docs.claude.com/en/docs/about-claude/models/overview: Claude 2 and Instant have no
            // tool use and no vision (also Bedrock's "Supported models and model features" for Converse).
            new Family(
                    CLAUDE_MODELS, "(anthropic\\.)?claude-(2|instant|v2).*", TOOLS | IMAGES | JSON_SCHEMA | REASONING),
            // Extended thinking starts with Claude Sonnet 3.7 (build-with-claude/extended-thinking, supported models);
            // structured outputs (output_config.format) with the 4.5 models, not on 3.x or Sonnet 4 / Opus 4.
            new Family(CLAUDE_MODELS, "(anthropic\\.)?claude-3[.-]7-sonnet.*", JSON_SCHEMA),
            new Family(CLAUDE_MODELS, "(anthropic\\.)?claude-3.*", JSON_SCHEMA | REASONING),
            new Family(
                    CLAUDE_MODELS, "(anthropic\\.)?claude-(sonnet|opus)-4(-0|-\\d{8})?(-v\\d+(:\\d+)?)?", JSON_SCHEMA),
            // Gemini, https://ai.google.dev/gemini-api/docs/models and /thinking: thinking (thinkingConfig) is for
            // Gemini 2.5 and later; Gemini 1.0 has no JSON mode or response schema; embeddings take no chat.
            new Family(GEMINI_MODELS, "gemini-(1\\.0-.*|pro|pro-vision)", JSON_SCHEMA | JSON_OBJECT | REASONING),
            new Family(GEMINI_MODELS, "gemini-2\\.0-flash-thinking.*", 0),
            new Family(GEMINI_MODELS, "gemini-(1\\.5|2\\.0)-.*", REASONING),
            new Family(GEMINI_MODELS, "(text-|gemini-)?embedding-.*", ALL),
            // Bedrock Converse, https://docs.aws.amazon.com/bedrock/latest/userguide/
            // conversation-inference-supported-models-features.html: Titan text, Jurassic-2, Jamba-Instruct and
            // Cohere Command (Light) have no tool use and no vision; Nova Micro and Jamba 1.5 have no vision.
            new Family(
                    BEDROCK_MODELS,
                    "amazon\\.titan-.*|ai21\\.j2-.*|ai21\\.jamba-instruct.*|cohere\\.command-(text|light-text).*",
                    TOOLS | IMAGES | JSON_SCHEMA | REASONING),
            new Family(BEDROCK_MODELS, "amazon\\.nova-micro.*|ai21\\.jamba-1-5.*", IMAGES));

    private ModelCapabilities() {}

    private static int bit(ModelCapability capability) {
        return 1 << capability.ordinal();
    }

    /**
     * What {@code model} can take on {@code provider}: the table's row for it (every capability when there is none),
     * then {@code overrides} (the model's {@code model_capabilities} entry, or null).
     */
    public static int of(String provider, String model, Map<ModelCapability, Boolean> overrides) {
        int capabilities = ALL & ~lacks(provider, model);
        if (overrides != null) {
            for (Map.Entry<ModelCapability, Boolean> entry : overrides.entrySet()) {
                capabilities =
                        entry.getValue() ? capabilities | bit(entry.getKey()) : capabilities & ~bit(entry.getKey());
            }
        }
        return capabilities;
    }

    private static int lacks(String provider, String model) {
        String id = model.toLowerCase(Locale.ROOT);
        id = id.substring(id.lastIndexOf('/') + 1); // OpenRouter's vendor/model
        id = BEDROCK_GEOGRAPHY.matcher(id).replaceFirst("");
        for (Family family : TABLE) {
            if (family.providers().contains(provider) && family.id().matcher(id).matches()) {
                return family.lacks();
            }
        }
        return 0;
    }

    /**
     * The capabilities {@code request} uses: tools (definitions, or tool calls and results in the conversation), its
     * response format, reasoning controls, image parts.
     */
    public static int used(ChatRequest request) {
        return missing(request, 0);
    }

    /**
     * The capabilities {@code request} uses that {@code capabilities} lacks. The messages are read only when tools or
     * images are lacking, so a model that lacks only, say, reasoning costs a plain call a few field reads.
     */
    public static int missing(ChatRequest request, int capabilities) {
        int lacking = ALL & ~capabilities;
        int used = request.tools().isEmpty() ? 0 : TOOLS;
        if (request.responseFormat() != null) {
            switch (request.responseFormat().type()) {
                case JSON_SCHEMA -> used |= JSON_SCHEMA;
                case JSON_OBJECT -> used |= JSON_OBJECT;
                default -> {}
            }
        }
        if (request.reasoningEffort() != null || request.thinkingBudget() != null) {
            used |= REASONING;
        }
        if ((lacking & ~used & (TOOLS | IMAGES)) != 0) {
            used |= inMessages(request.messages());
        }
        return used & lacking;
    }

    /** Tool calls or results, and image parts, in a conversation. */
    private static int inMessages(List<ChatMessage> messages) {
        int used = 0;
        for (ChatMessage message : messages) {
            if (!message.toolCalls().isEmpty() || message.toolCallId() != null) {
                used |= TOOLS;
            }
            for (ContentPart part : message.content()) {
                if (part instanceof ContentPart.ImageBytes
                        || part instanceof ContentPart.FileRef file
                                && file.mimeType().startsWith("image/")) {
                    used |= IMAGES;
                }
            }
        }
        return used;
    }

    /** The configuration names of the capabilities in {@code set}, comma-separated. */
    public static String names(int set) {
        List<String> names = new ArrayList<>();
        for (ModelCapability capability : ModelCapability.values()) {
            if ((set & bit(capability)) != 0) {
                names.add(capability.wireName());
            }
        }
        return String.join(", ", names);
    }
}
