/** llm-rotate's metrics on Micrometer. */
package dev.llmrotate.micrometer;
