/**
 * The exceptions a call can end with, all unchecked: {@link dev.llmrotate.error.LlmRotateException} (the provider's
 * error, classified as an {@link dev.llmrotate.error.ErrorType}), {@link dev.llmrotate.error.NoAvailableKeyException}
 * (no key could serve within the deadline), {@link dev.llmrotate.error.UnknownModelException} and
 * {@link dev.llmrotate.error.ConfigurationException} (invalid configuration or misuse).
 */
package dev.llmrotate.error;
