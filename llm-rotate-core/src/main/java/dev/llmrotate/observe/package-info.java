/**
 * What llm-rotate reports about calls: one {@link dev.llmrotate.observe.CallRecord} per call (written as JSON to the
 * usage log), {@link dev.llmrotate.observe.UsageSummary} totals, {@link dev.llmrotate.observe.Pricing} for cost
 * estimates, and the {@link dev.llmrotate.observe.LogNames logger names} operators configure.
 */
package dev.llmrotate.observe;
