/**
 * The control server: read-only JSON endpoints (health, keys, usage, recent calls, the sanitized configuration,
 * OpenAPI) and a dashboard for a browser, over an {@code LlmRotate} embedded in the application or over a shared state
 * store in standalone mode. {@link dev.llmrotate.server.ControlServer} starts it with {@link
 * dev.llmrotate.server.ControlServerOptions} (address, bearer token, CORS origin, limits); it binds loopback unless
 * told otherwise and needs a token on any other address. The module's other packages hold the Prometheus metrics,
 * the OpenAI-compatible gateway and the {@code llm-rotate-server} command line.
 */
package dev.llmrotate.server;
