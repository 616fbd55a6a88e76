package dev.llmrotate.springai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.chat.TurnMetadata;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.ai.model.tool.ToolCallingManager;

/**
 * A Spring AI prompt, with its options merged, as our request. What it carries is mapped or refused with an {@link
 * IllegalArgumentException} naming it, before anything is sent. Refused: the options no provider format shares
 * ({@code topK}, {@code frequencyPenalty}, {@code presencePenalty}, {@code stopSequences}; a provider's own field can
 * still go through {@link LlmRotateChatOptions#getExtra()}), media by URL (llm-rotate sends images and PDFs inline, as
 * every provider takes them; a {@code data:} URL is inline), media other than images and PDFs, and message types
 * other than Spring AI's four. Message metadata is not sent, apart from the reasoning an assistant message of ours
 * carries back to its provider.
 */
final class Requests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_MODEL = "no model for the call: set the model in the model's default options"
            + " (LlmRotateChatOptions.builder().model(...)) or in the prompt's options";

    private Requests() {}

    /**
     * Our request for {@code messages} under {@code options} (the prompt's merged with the model's defaults); tool
     * callbacks and tool names are resolved by {@code tools} and converted through {@code toolCache}.
     *
     * @throws IllegalArgumentException for what llm-rotate cannot send or its request refuses, naming it
     */
    static ChatRequest toRequest(
            List<Message> messages, LlmRotateChatOptions options, ToolCallingManager tools, ToolDefinitions toolCache) {
        checkSupported(options);
        String model = options.getModel();
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException(NO_MODEL);
        }
        List<ToolDefinition> definitions =
                options.getToolCallbacks().isEmpty() && options.getToolNames().isEmpty()
                        ? List.of()
                        : toolCache.of(tools.resolveToolDefinitions(options));
        // The canonical constructor rather than the builder: a call pays for one copy of each list, not two.
        return new ChatRequest(
                model,
                messages(messages),
                options.getProvider(),
                options.getMaxTokens(),
                options.getTemperature(),
                options.getTopP(),
                options.getMaxRetries(),
                options.getDeadline(),
                options.getExtra(),
                null,
                definitions,
                null,
                options.getParallelToolCalls(),
                responseFormat(options.getOutputSchema()),
                options.getReasoningEffort(),
                options.getThinkingBudget(),
                options.getCaller());
    }

    /** Refuses, before anything is built, options that no provider format shares. */
    static void checkSupported(LlmRotateChatOptions options) {
        refuse(options.getTopK() != null, "topK", "anthropic:top_k");
        refuse(options.getFrequencyPenalty() != null, "frequencyPenalty", "openai:frequency_penalty");
        refuse(options.getPresencePenalty() != null, "presencePenalty", "openai:presence_penalty");
        refuse(
                options.getStopSequences() != null
                        && !options.getStopSequences().isEmpty(),
                "stopSequences",
                "openai:stop");
    }

    private static void refuse(boolean set, String option, String example) {
        if (set) {
            throw new IllegalArgumentException(option + " is not supported by llm-rotate: its providers do not share"
                    + " it (a call may fall back to another provider); pass a provider's own field through"
                    + " LlmRotateChatOptions extra, e.g. \"" + example + "\"");
        }
    }

    static List<ChatMessage> messages(List<Message> messages) {
        List<ChatMessage> ours = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            Message message = messages.get(i);
            if (message instanceof ToolResponseMessage results) {
                // One Spring AI message holds the results of all the turn's tool calls; ours, one each.
                for (ToolResponseMessage.ToolResponse result : results.getResponses()) {
                    if (result.id() == null || result.id().isEmpty()) {
                        throw new IllegalArgumentException("messages[" + i + "]: the tool response of " + result.name()
                                + " has no id; it must carry the id of the tool call it answers");
                    }
                    ours.add(ChatMessage.toolResult(
                            result.id(), result.responseData() == null ? "" : result.responseData()));
                }
            } else {
                ours.add(message(message, i));
            }
        }
        return ours;
    }

    private static ChatMessage message(Message message, int index) {
        if (message instanceof SystemMessage system) {
            return ChatMessage.system(system.getText());
        }
        if (message instanceof UserMessage user) {
            List<Media> media = user.getMedia();
            if (media.isEmpty()) {
                return ChatMessage.user(user.getText());
            }
            List<ContentPart> parts = new ArrayList<>(media.size() + 1);
            if (user.getText() != null && !user.getText().isEmpty()) {
                parts.add(new ContentPart.Text(user.getText()));
            }
            for (Media item : media) {
                parts.add(part(item, index));
            }
            return new ChatMessage("user", parts);
        }
        if (message instanceof AssistantMessage assistant) {
            return assistant(assistant, index);
        }
        throw new IllegalArgumentException(
                "messages[" + index + "]: " + message.getClass().getName()
                        + " messages are not supported by llm-rotate (system, user, assistant and tool response messages are)");
    }

    /** The assistant turn, with the reasoning and tool-call signatures a provider asked to get back. */
    private static ChatMessage assistant(AssistantMessage assistant, int index) {
        Map<String, Object> properties = assistant.getMetadata();
        List<ContentPart> parts = new ArrayList<>(TurnMetadata.reasoning(properties));
        String text = assistant.getText();
        if (text != null && !text.isEmpty()) {
            parts.add(new ContentPart.Text(text));
        }
        if (parts.isEmpty() && !assistant.hasToolCalls()) {
            parts.add(new ContentPart.Text("")); // an empty answer is still a turn
        }
        List<ToolCall> calls = List.of();
        if (assistant.hasToolCalls()) {
            Map<String, String> signatures = TurnMetadata.toolCallSignatures(properties);
            List<AssistantMessage.ToolCall> toolCalls = assistant.getToolCalls();
            calls = new ArrayList<>(toolCalls.size());
            for (AssistantMessage.ToolCall call : toolCalls) {
                if (call.id() == null || call.id().isEmpty() || call.name() == null) {
                    throw new IllegalArgumentException("messages[" + index + "]: a tool call (" + call.name()
                            + ") has no " + (call.name() == null ? "name" : "id")
                            + "; llm-rotate needs both to match the call with its response");
                }
                String arguments = call.arguments() == null || call.arguments().isEmpty() ? "{}" : call.arguments();
                calls.add(new ToolCall(call.id(), call.name(), arguments, signatures.get(call.id())));
            }
        }
        return new ChatMessage("assistant", parts, calls, null);
    }

    private static ContentPart part(Media media, int index) {
        String mimeType =
                media.getMimeType() == null ? null : media.getMimeType().toString();
        byte[] data = bytes(media.getData(), index);
        if (mimeType == null) {
            throw new IllegalArgumentException("messages[" + index + "]: a media item has no MIME type");
        }
        if (mimeType.startsWith("image/")) {
            return new ContentPart.ImageBytes(data, mimeType);
        }
        if (mimeType.equals("application/pdf")) {
            return new ContentPart.PdfBytes(data, mimeType);
        }
        throw new IllegalArgumentException("messages[" + index + "]: " + mimeType
                + " media are not supported by llm-rotate (images and PDFs are)");
    }

    /** The bytes of inline media: a byte array, or a {@code data:} URL; any other URL is refused. */
    private static byte[] bytes(Object data, int index) {
        if (data instanceof byte[] bytes) {
            return bytes;
        }
        if (data instanceof String url && url.regionMatches(true, 0, "data:", 0, 5)) {
            int comma = url.indexOf(',');
            if (comma > 0 && url.substring(0, comma).endsWith(";base64")) {
                try {
                    return Base64.getMimeDecoder().decode(url.substring(comma + 1));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "messages[" + index + "]: the media's data URL is not base64", e);
                }
            }
        }
        throw new IllegalArgumentException("messages[" + index + "]: media URLs are not supported by llm-rotate,"
                + " which sends media inline to every provider; give the media as bytes (or a Resource) with its"
                + " MIME type");
    }

    /** The structured-output format for ChatClient's output schema, or null for none. */
    @SuppressWarnings("unchecked")
    static ResponseFormat responseFormat(String outputSchema) {
        if (outputSchema == null || outputSchema.isBlank()) {
            return null;
        }
        Object schema;
        try {
            schema = JSON.readValue(outputSchema, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the output schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(schema instanceof Map)) {
            throw new IllegalArgumentException("the output schema must be a JSON object");
        }
        return ResponseFormat.jsonSchema("response", (Map<String, Object>) schema);
    }
}
