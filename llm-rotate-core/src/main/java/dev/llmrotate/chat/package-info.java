/**
 * Requests and replies of a chat call, the same for every provider: {@link dev.llmrotate.chat.ChatRequest} of
 * {@link dev.llmrotate.chat.ChatMessage}s (text, images, PDFs as {@link dev.llmrotate.chat.ContentPart}s),
 * {@link dev.llmrotate.chat.ChatResponse}, {@link dev.llmrotate.chat.StreamChunk} for streams, and token
 * {@link dev.llmrotate.chat.Usage}. Tools ({@link dev.llmrotate.chat.ToolDefinition}, {@link
 * dev.llmrotate.chat.ToolChoice}, {@link dev.llmrotate.chat.ToolCall}), structured output ({@link
 * dev.llmrotate.chat.ResponseFormat}) and reasoning ({@link dev.llmrotate.chat.ReasoningEffort}, {@link
 * dev.llmrotate.chat.ContentPart.Reasoning}) are part of the same model; {@link dev.llmrotate.chat.StreamAssembler}
 * puts a streamed answer back together. The Gemini-style {@code generateContent} call has its own request and
 * controls.
 *
 * <p>LangChain4j and Spring AI have types of the same simple names; see the README on using both in one class.
 */
package dev.llmrotate.chat;
