/**
 * Spring AI's {@code ChatModel} over llm-rotate: {@link dev.llmrotate.springai.LlmRotateSpringAiChatModel}, with
 * {@link dev.llmrotate.springai.LlmRotateChatOptions} for the llm-rotate request fields Spring AI has no name for.
 *
 * <p><b>Errors.</b> By the time a call fails, llm-rotate has rotated keys, retried transient failures and walked the
 * fallback chain. The exception says what is left to do; Spring AI's retry templates ({@code RetryUtils}) retry
 * {@code TransientAiException} only. Every exception keeps llm-rotate's as its cause (its error type, the earliest
 * time a key comes back) and its message, which shows key masks, never secrets.
 *
 * <table>
 *   <caption>llm-rotate failures as Spring AI exceptions ({@code org.springframework.ai.retry})</caption>
 *   <tr><th>llm-rotate</th><th>Spring AI</th></tr>
 *   <tr><td>{@code NoAvailableKeyException} after failed attempts</td>
 *       <td>as the last attempt's error type, below</td></tr>
 *   <tr><td>{@code NoAvailableKeyException} without an attempt (every key resting), a key comes back
 *       ({@code earliestRetryAt()} set)</td><td>{@code TransientAiException}</td></tr>
 *   <tr><td>{@code NoAvailableKeyException} without an attempt, no key comes back by itself (all disabled)</td>
 *       <td>{@code NonTransientAiException}</td></tr>
 *   <tr><td>{@code rate_limit}, {@code quota_exhausted}, {@code timeout} (the call deadline included),
 *       {@code transient_server_error}, {@code invalid_response}, {@code connection_error},
 *       {@code stream_interrupted}, {@code unknown}; an interrupted call (no error type)</td>
 *       <td>{@code TransientAiException}</td></tr>
 *   <tr><td>{@code invalid_auth}, {@code permission_denied}, {@code model_unavailable},
 *       {@code broker_route_unavailable}, {@code content_filtered}, {@code context_length_exceeded},
 *       {@code invalid_request}; {@code UnknownModelException}, {@code ConfigurationException}</td>
 *       <td>{@code NonTransientAiException}</td></tr>
 *   <tr><td>a prompt llm-rotate cannot send ({@code topK}, stop sequences, a media URL, ...) or its request refuses
 *       (a tool call without an id, a caller id with spaces, ...)</td>
 *       <td>{@code IllegalArgumentException}, before anything is sent (not wrapped)</td></tr>
 * </table>
 */
package dev.llmrotate.springai;
