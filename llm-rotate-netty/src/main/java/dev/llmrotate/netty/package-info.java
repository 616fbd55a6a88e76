/**
 * A non-blocking HTTP/1.1 client on Netty for llm-rotate's built-in provider adapters, in place of the JDK's
 * {@code java.net.http} client: set {@link dev.llmrotate.netty.NettyHttpClientProvider} on the builder
 * ({@code LlmRotate.builder().httpClient(new NettyHttpClientProvider())}). It keeps pooled keep-alive connections per
 * host with a bound on each, speaks TLS with host name verification, bounds response bodies, hands streamed bodies
 * over as they arrive, and can run on an application's own event loops (a Netty server's) so that a call's reply is
 * read on the thread that will continue it.
 */
package dev.llmrotate.netty;
