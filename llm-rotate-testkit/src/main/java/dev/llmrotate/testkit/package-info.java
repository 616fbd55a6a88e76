/**
 * Fake LLM provider servers on loopback, for testing code that calls LLM APIs, including llm-rotate itself.
 *
 * <p>{@link dev.llmrotate.testkit.FakeOpenAiServer} speaks the OpenAI Chat Completions wire format, {@link
 * dev.llmrotate.testkit.FakeAnthropicServer} the Anthropic Messages API and {@link
 * dev.llmrotate.testkit.FakeGeminiServer} the Gemini API on Google AI Studio and Vertex AI paths, with a fake OAuth
 * token endpoint for {@link dev.llmrotate.testkit.ServiceAccounts service accounts}, and {@link
 * dev.llmrotate.testkit.FakeBedrockServer} Amazon Bedrock's Converse API with SigV4 verification and binary event
 * streams. Each request is matched to a
 * {@link dev.llmrotate.testkit.Script} by API key and model; scripts answer with {@link
 * dev.llmrotate.testkit.FakeResponse}s (completions, streamed completions, provider errors, arbitrary bodies, delays,
 * network faults and stream faults), rendered in the server's wire format; every request is kept as a {@link
 * dev.llmrotate.testkit.RecordedRequest}.
 */
package dev.llmrotate.testkit;
