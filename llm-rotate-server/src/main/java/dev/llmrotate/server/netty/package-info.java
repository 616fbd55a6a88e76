/**
 * The control server's HTTP/1.1 binding on Netty: {@link dev.llmrotate.server.netty.NettyBinding} serves the router
 * with every cost a client can cause bounded ({@link dev.llmrotate.server.netty.BindingLimits}: connections, request
 * line, headers, body, a deadline for each whole request, write timeouts, worker threads). It is what {@code
 * ControlServer} runs on; applications embed the server through {@code ControlServer}, not through this package, whose
 * types are public for the server's own packages and may change between minor versions.
 */
package dev.llmrotate.server.netty;
