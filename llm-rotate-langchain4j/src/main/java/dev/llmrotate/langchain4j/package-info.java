/**
 * LangChain4j chat models over llm-rotate: {@link dev.llmrotate.langchain4j.LlmRotateChatModel} ({@code ChatModel})
 * and {@link dev.llmrotate.langchain4j.LlmRotateStreamingChatModel} ({@code StreamingChatModel}), with {@link
 * dev.llmrotate.langchain4j.LlmRotateChatRequestParameters} for the llm-rotate request fields LangChain4j has no
 * name for.
 *
 * <p><b>Errors.</b> By the time a call fails, llm-rotate has rotated keys, retried transient failures and walked the
 * fallback chain. The exception says what is left to do; LangChain4j's retry code retries what is not a {@code
 * NonRetriableException}. Every exception keeps llm-rotate's as its cause.
 *
 * <table>
 *   <caption>llm-rotate failures as LangChain4j exceptions ({@code dev.langchain4j.exception})</caption>
 *   <tr><th>llm-rotate</th><th>LangChain4j</th><th>retriable</th></tr>
 *   <tr><td>{@code NoAvailableKeyException} after failed attempts</td>
 *       <td>as the last attempt's error type, below</td><td></td></tr>
 *   <tr><td>{@code NoAvailableKeyException} without an attempt (every key resting), a key comes back
 *       ({@code earliestRetryAt()} set)</td><td>{@code RateLimitException}</td><td>yes</td></tr>
 *   <tr><td>{@code NoAvailableKeyException} without an attempt, no key comes back by itself (all disabled)</td>
 *       <td>{@code AuthenticationException}</td><td>no</td></tr>
 *   <tr><td>{@code rate_limit}, {@code quota_exhausted}</td><td>{@code RateLimitException}</td><td>yes</td></tr>
 *   <tr><td>{@code invalid_auth}, {@code permission_denied}</td><td>{@code AuthenticationException}</td>
 *       <td>no</td></tr>
 *   <tr><td>{@code timeout} (the call deadline included)</td><td>{@code TimeoutException}</td><td>yes</td></tr>
 *   <tr><td>{@code transient_server_error}, {@code invalid_response}</td><td>{@code InternalServerException}</td>
 *       <td>yes</td></tr>
 *   <tr><td>{@code connection_error}, {@code stream_interrupted}</td><td>{@code RetriableException}</td>
 *       <td>yes</td></tr>
 *   <tr><td>{@code model_unavailable}, {@code broker_route_unavailable}, {@code UnknownModelException}</td>
 *       <td>{@code ModelNotFoundException}</td><td>no</td></tr>
 *   <tr><td>{@code content_filtered}</td><td>{@code ContentFilteredException}</td><td>no</td></tr>
 *   <tr><td>{@code invalid_request}, {@code context_length_exceeded}; a request llm-rotate's model refuses
 *       ({@code IllegalArgumentException}), {@code ConfigurationException}</td>
 *       <td>{@code InvalidRequestException}</td><td>no</td></tr>
 *   <tr><td>what llm-rotate cannot send ({@code topK}, {@code stopSequences}, image URLs, audio, ...)</td>
 *       <td>{@code UnsupportedFeatureException}</td><td>(not a {@code NonRetriableException})</td></tr>
 *   <tr><td>{@code unknown}; an interrupted call (no error type)</td><td>{@code LangChain4jException}</td>
 *       <td>yes</td></tr>
 * </table>
 */
package dev.llmrotate.langchain4j;
