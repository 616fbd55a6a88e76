package dev.llmrotate.server.gateway;

import dev.llmrotate.chat.ChatRequest;
import java.util.Objects;

/**
 * A {@code POST /v1/chat/completions} body, read: the library's request and what the gateway itself acts on.
 *
 * @param chatRequest the call, for the model as sent (no provider pinned); OpenAI fields without a first-class place
 *     ({@code stop}, {@code seed}, {@code user}, penalties, unknown fields, ...) are in its {@code extra}
 * @param model the {@code model} string as the client sent it
 * @param stream whether the client asked for server-sent events ({@code stream: true})
 * @param includeUsage whether the client asked for the final usage chunk ({@code stream_options.include_usage})
 * @param user the client's end-user id ({@code user}), or null; also passed on in {@code extra}
 */
public record OpenAiChatRequest(
        ChatRequest chatRequest, String model, boolean stream, boolean includeUsage, String user) {
    /**
     * Checks the request.
     *
     * @param chatRequest the call for the model as sent, not null
     * @param model the {@code model} string as the client sent it, not null
     * @param stream whether the client asked for server-sent events
     * @param includeUsage whether the client asked for the final usage chunk
     * @param user the client's end-user id, or null
     * @throws NullPointerException when {@code chatRequest} or {@code model} is null
     */
    public OpenAiChatRequest {
        Objects.requireNonNull(chatRequest, "chatRequest");
        Objects.requireNonNull(model, "model");
    }

    /**
     * The call for the model the gateway resolved {@link #model()} to, pinned to {@code provider} when not null (a
     * {@code provider/model} address or the {@code x-llm-rotate-provider} header).
     *
     * @param resolvedModel the model id to call
     * @param provider the provider to pin the call to, or null for none
     * @return a copy of {@link #chatRequest()} for that model and provider (a parsed request has no caller yet)
     */
    public ChatRequest chatRequest(String resolvedModel, String provider) {
        return chatRequest.withModel(resolvedModel).withProvider(provider);
    }
}
