/** Spring AI's {@code ChatModel} over llm-rotate. */
package dev.llmrotate.springai;
