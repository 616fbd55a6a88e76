/**
 * The control server's endpoints, independent of any HTTP server: {@link dev.llmrotate.server.http.ControlRouter}
 * turns a {@link dev.llmrotate.server.http.ControlRequest} into a {@link dev.llmrotate.server.http.ControlResponse}
 * (method, path, bearer token and query parameters checked in that order, every error as JSON), and the views write
 * the bodies of {@code /health}, {@code /keys}, {@code /usage}, {@code /events} and {@code /config} without a secret in
 * them. {@code ControlServer} carries it over HTTP; these types are public for the server's own packages and tests,
 * and may change between minor versions.
 */
package dev.llmrotate.server.http;
