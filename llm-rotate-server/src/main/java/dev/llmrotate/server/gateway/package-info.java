/**
 * The OpenAI wire format of the gateway, without HTTP: {@link dev.llmrotate.server.gateway.OpenAiChatRequests} reads
 * a {@code POST /v1/chat/completions} body into a {@code ChatRequest}, {@link
 * dev.llmrotate.server.gateway.OpenAiChatResponses} and {@link dev.llmrotate.server.gateway.OpenAiChunkWriter} write
 * {@code chat.completion} and {@code chat.completion.chunk} JSON (and the server-sent-event framing), {@link
 * dev.llmrotate.server.gateway.OpenAiErrors} the error body.
 */
package dev.llmrotate.server.gateway;
