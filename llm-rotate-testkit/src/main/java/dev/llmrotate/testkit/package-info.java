/**
 * Fake LLM provider servers on loopback, for testing code that calls LLM APIs, including llm-rotate itself.
 *
 * <p>{@link dev.llmrotate.testkit.FakeOpenAiServer} speaks the OpenAI Chat Completions wire format. Each request is
 * matched to a {@link dev.llmrotate.testkit.Script} by API key and model; scripts answer with {@link
 * dev.llmrotate.testkit.FakeResponse}s (completions, provider errors, arbitrary bodies, delays and network faults);
 * every request is kept as a {@link dev.llmrotate.testkit.RecordedRequest}.
 */
package dev.llmrotate.testkit;
