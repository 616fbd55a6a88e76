/** Spring Boot auto-configuration for llm-rotate. */
package dev.llmrotate.spring.boot;
