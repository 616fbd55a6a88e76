package dev.llmrotate.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.pdf.PdfFile;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.TurnMetadata;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A LangChain4j chat request as ours. What it carries is mapped or refused with an exception naming it. Refused: the
 * sampling parameters no provider format shares ({@code topK}, {@code frequencyPenalty}, {@code presencePenalty},
 * {@code stopSequences}; a provider's own field can still go through {@link LlmRotateChatRequestParameters#extra()}),
 * images and PDFs by URL (llm-rotate sends them inline, as every provider takes them; a {@code data:} URL is inline),
 * audio, video and custom messages. Two hints have no place in llm-rotate's request and are not sent: a user
 * message's {@code name} and a tool result's {@code isError} (the result's text says what went wrong).
 */
final class Requests {
    private static final String NO_MODEL = "no model for the call: set modelName on the model's builder (its default)"
            + " or in the request's parameters";

    private Requests() {}

    /**
     * Our request for {@code request}, whose parameters already hold the model's defaults (the framework merges
     * them before {@code doChat}); tool specifications are converted through {@code toolCache}.
     *
     * @throws UnsupportedFeatureException for what llm-rotate cannot send
     * @throws InvalidRequestException for a request our model refuses (no model, a tool result without its call, ...)
     */
    static ChatRequest toRequest(dev.langchain4j.model.chat.request.ChatRequest request, ToolDefinitions toolCache) {
        ChatRequestParameters parameters = request.parameters();
        checkSupported(parameters);
        String model = parameters.modelName();
        if (model == null || model.isBlank()) {
            throw new InvalidRequestException(NO_MODEL);
        }
        LlmRotateChatRequestParameters ours =
                parameters instanceof LlmRotateChatRequestParameters p ? p : LlmRotateChatRequestParameters.NONE;
        try {
            List<ToolSpecification> tools = parameters.toolSpecifications();
            // The canonical constructor rather than the builder: a call pays for one copy of each list, not two.
            return new ChatRequest(
                    model,
                    messages(request.messages()),
                    ours.provider(),
                    parameters.maxOutputTokens(),
                    parameters.temperature(),
                    parameters.topP(),
                    ours.maxRetries(),
                    ours.deadline(),
                    ours.extra(),
                    null,
                    tools == null || tools.isEmpty() ? List.of() : toolCache.of(tools),
                    parameters.toolChoice() == null ? null : toolChoice(parameters.toolChoice()),
                    ours.parallelToolCalls(),
                    parameters.responseFormat() == null ? null : responseFormat(parameters.responseFormat()),
                    ours.reasoningEffort(),
                    ours.thinkingBudget(),
                    ours.caller());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    /** Refuses, before anything is built, parameters that no provider format shares. */
    static void checkSupported(ChatRequestParameters parameters) {
        refuse(parameters.topK() != null, "topK", "anthropic:top_k");
        refuse(parameters.frequencyPenalty() != null, "frequencyPenalty", "openai:frequency_penalty");
        refuse(parameters.presencePenalty() != null, "presencePenalty", "openai:presence_penalty");
        refuse(
                parameters.stopSequences() != null
                        && !parameters.stopSequences().isEmpty(),
                "stopSequences",
                "openai:stop");
    }

    private static void refuse(boolean set, String parameter, String example) {
        if (set) {
            throw new UnsupportedFeatureException(parameter + " is not supported by llm-rotate: its providers do not"
                    + " share it (a call may fall back to another provider); pass a provider's own field through"
                    + " LlmRotateChatRequestParameters.extra, e.g. \"" + example + "\"");
        }
    }

    static List<ChatMessage> messages(List<dev.langchain4j.data.message.ChatMessage> messages) {
        List<ChatMessage> ours = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ours.add(message(messages.get(i), i));
        }
        return ours;
    }

    private static ChatMessage message(dev.langchain4j.data.message.ChatMessage message, int index) {
        if (message instanceof SystemMessage system) {
            return ChatMessage.system(system.text());
        }
        if (message instanceof UserMessage user) {
            if (user.hasSingleText()) {
                return ChatMessage.user(user.singleText());
            }
            return new ChatMessage("user", parts(user.contents(), index));
        }
        if (message instanceof AiMessage ai) {
            return assistant(ai);
        }
        if (message instanceof ToolExecutionResultMessage result) {
            if (result.id() == null) {
                throw new InvalidRequestException("messages[" + index + "]: the tool result of " + result.toolName()
                        + " has no id; it must carry the id of the tool execution request it answers");
            }
            return new ChatMessage("tool", parts(result.contents(), index), List.of(), result.id());
        }
        throw new UnsupportedFeatureException("messages[" + index + "]: " + message.type()
                + " messages are not supported by llm-rotate (system, user, AI and tool result messages are)");
    }

    /** The assistant turn, with the reasoning and tool-call signatures a provider asked to get back. */
    private static ChatMessage assistant(AiMessage ai) {
        List<ContentPart> parts = new ArrayList<>(TurnMetadata.reasoning(ai.attributes()));
        String text = ai.text();
        if (text != null && !text.isEmpty()) {
            parts.add(new ContentPart.Text(text));
        }
        if (parts.isEmpty() && !ai.hasToolExecutionRequests()) {
            parts.add(new ContentPart.Text("")); // an empty answer is still a turn
        }
        List<ToolCall> calls = List.of();
        if (ai.hasToolExecutionRequests()) {
            Map<String, String> signatures = TurnMetadata.toolCallSignatures(ai.attributes());
            List<ToolExecutionRequest> requests = ai.toolExecutionRequests();
            calls = new ArrayList<>(requests.size());
            for (ToolExecutionRequest call : requests) {
                if (call.id() == null || call.name() == null) {
                    throw new InvalidRequestException("a tool execution request (" + call.name() + ") has no "
                            + (call.id() == null ? "id" : "name")
                            + "; llm-rotate needs both to match the request with its result");
                }
                calls.add(new ToolCall(call.id(), call.name(), call.arguments(), signatures.get(call.id())));
            }
        }
        return new ChatMessage("assistant", parts, calls, null);
    }

    private static List<ContentPart> parts(List<Content> contents, int index) {
        List<ContentPart> parts = new ArrayList<>(contents.size());
        for (Content content : contents) {
            parts.add(part(content, index));
        }
        return parts;
    }

    private static ContentPart part(Content content, int index) {
        if (content instanceof TextContent text) {
            return new ContentPart.Text(text.text());
        }
        if (content instanceof ImageContent image) {
            Image img = image.image();
            Inline inline = inline(img.base64Data(), img.url(), img.mimeType(), "image", index);
            return new ContentPart.ImageBytes(inline.data, inline.mimeType);
        }
        if (content instanceof PdfFileContent pdf) {
            PdfFile file = pdf.pdfFile();
            Inline inline = inline(file.base64Data(), file.url(), file.mimeType(), "PDF", index);
            return new ContentPart.PdfBytes(inline.data, inline.mimeType);
        }
        throw new UnsupportedFeatureException("messages[" + index + "]: " + content.type()
                + " content is not supported by llm-rotate (text, images and PDFs are)");
    }

    private record Inline(byte[] data, String mimeType) {}

    /**
     * The bytes and MIME type of inline data, or of a {@code data:} URL (whose MIME type is used when none is given);
     * any other URL is refused.
     */
    private static Inline inline(String base64, URI url, String mimeType, String what, int index) {
        String data = base64;
        if (data == null && url != null && "data".equalsIgnoreCase(url.getScheme())) {
            String ssp = url.getSchemeSpecificPart(); // image/png;base64,iVBOR...
            int comma = ssp.indexOf(',');
            if (comma > 0 && ssp.substring(0, comma).endsWith(";base64")) {
                data = ssp.substring(comma + 1);
                String declared = ssp.substring(0, comma - ";base64".length());
                if (mimeType == null && !declared.isEmpty()) {
                    mimeType = declared;
                }
            }
        }
        if (data == null) {
            throw new UnsupportedFeatureException("messages[" + index + "]: " + what + " URLs are not supported by"
                    + " llm-rotate, which sends " + what + "s inline to every provider; give the " + what
                    + " as base64 data with its MIME type");
        }
        if (mimeType == null) {
            throw new InvalidRequestException("messages[" + index + "]: the " + what + " has no MIME type");
        }
        try {
            return new Inline(Base64.getMimeDecoder().decode(data), mimeType);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("messages[" + index + "]: the " + what + "'s data is not base64", e);
        }
    }

    private static ToolChoice toolChoice(dev.langchain4j.model.chat.request.ToolChoice choice) {
        return switch (choice) {
            case AUTO -> ToolChoice.AUTO;
            case REQUIRED -> ToolChoice.REQUIRED;
            case NONE -> ToolChoice.NONE;
        };
    }

    /**
     * Text is the default (nothing is sent); JSON without a schema is JSON mode; a schema keeps its name where it
     * is one every provider takes, else it gets one.
     */
    static ResponseFormat responseFormat(dev.langchain4j.model.chat.request.ResponseFormat format) {
        if (format.type() == ResponseFormatType.TEXT) {
            return null;
        }
        JsonSchema schema = format.jsonSchema();
        if (schema == null) {
            return ResponseFormat.JSON_OBJECT;
        }
        if (schema.rootElement() == null) {
            throw new InvalidRequestException("the response format's JSON schema has no root element");
        }
        return ResponseFormat.jsonSchema(
                schemaName(schema.name()), Schemas.toMap(schema.rootElement(), "the response format"));
    }

    /** OpenAI requires 1 to 64 of {@code [A-Za-z0-9_-]}; LangChain4j names schemas after Java types. */
    private static String schemaName(String name) {
        if (name == null || name.isEmpty()) {
            return "response";
        }
        StringBuilder out = new StringBuilder(Math.min(name.length(), 64));
        for (int i = 0; i < name.length() && out.length() < 64; i++) {
            char c = name.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            out.append(plain || c == '_' || c == '-' ? c : '_');
        }
        return out.toString();
    }
}
