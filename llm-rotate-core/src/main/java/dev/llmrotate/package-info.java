/**
 * The entry point: {@link dev.llmrotate.LlmRotate}, built from a configuration file or with
 * {@link dev.llmrotate.LlmRotateBuilder}, makes chat calls ({@code chat}, {@code chatAsync}, {@code chatStream},
 * {@code generateContent}) with key rotation, retries and fallback, lends keys for calls made elsewhere
 * ({@link dev.llmrotate.KeyLease}) and reports health and usage.
 *
 * <p>This package and {@code chat}, {@code config}, {@code error}, {@code health}, {@code observe} are the API users
 * write against; {@code dev.llmrotate.spi} holds the extension points; the {@code dev.llmrotate.internal} packages are
 * not exported and change without notice.
 */
package dev.llmrotate;
