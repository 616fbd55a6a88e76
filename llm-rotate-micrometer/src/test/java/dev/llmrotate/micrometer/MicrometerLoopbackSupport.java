package dev.llmrotate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.EngineTestSupport;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.LlmRotateBuilder;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Engines on the fake OpenAI server (with the controllable clock of the core's tests) whose telemetry is a {@link
 * MicrometerTelemetry} on an in-memory registry, bound to the engine as an application binds it.
 */
abstract class MicrometerLoopbackSupport extends EngineTestSupport {
    protected MeterRegistry registry = new SimpleMeterRegistry();
    protected MicrometerTelemetry telemetry;

    @Override
    protected LlmRotateBuilder builder() {
        telemetry = MicrometerTelemetry.create(registry);
        return LlmRotate.builder().telemetry(telemetry).eventBuffer(100);
    }

    /** An engine reporting to {@link #registry}, its gauges bound. */
    protected LlmRotate bound(LlmRotateConfig config) {
        LlmRotate lm = engine(config);
        telemetry.bindTo(lm);
        return lm;
    }

    /** The engine's call records, oldest first. */
    protected static List<CallRecord> records(LlmRotate lm) {
        List<CallRecord> records = new ArrayList<>(lm.recentCalls(100));
        records.sort(java.util.Comparator.comparing(CallRecord::timestamp));
        return records;
    }

    /** The sum of a counter's series matching these tags (key, value, ...); 0 when none. */
    protected double count(MetricNames.Metric metric, String... tags) {
        return registry.find(metric.name()).tags(tags).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    protected Timer timer(MetricNames.Metric metric, String... tags) {
        Timer timer = registry.find(metric.name()).tags(tags).timer();
        assertThat(timer).as("timer %s %s", metric.name(), List.of(tags)).isNotNull();
        return timer;
    }

    protected DistributionSummary summary(MetricNames.Metric metric, String... tags) {
        DistributionSummary summary = registry.find(metric.name()).tags(tags).summary();
        assertThat(summary).as("summary %s %s", metric.name(), List.of(tags)).isNotNull();
        return summary;
    }

    protected double gauge(MetricNames.Metric metric, String... tags) {
        Gauge gauge = registry.find(metric.name()).tags(tags).gauge();
        assertThat(gauge).as("gauge %s %s", metric.name(), List.of(tags)).isNotNull();
        return gauge.value();
    }

    /** The meters of one metric. */
    protected List<Meter> meters(MetricNames.Metric metric) {
        return List.copyOf(registry.find(metric.name()).meters());
    }

    /** Every tag value of every meter. */
    protected List<String> allTagValues() {
        List<String> values = new ArrayList<>();
        for (Meter meter : registry.getMeters()) {
            meter.getId().getTags().stream().map(Tag::getValue).forEach(values::add);
        }
        return values;
    }
}
