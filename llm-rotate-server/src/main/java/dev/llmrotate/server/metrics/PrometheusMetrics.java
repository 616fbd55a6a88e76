package dev.llmrotate.server.metrics;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.observe.ModelLabels;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Objects;

/**
 * The Prometheus metrics of one {@link LlmRotate}, for a {@code /metrics} endpoint: counters and histograms fed by
 * every finished call ({@link LlmRotate#onCall}), and per-key gauges read from {@link LlmRotate#health()} when
 * scraped. The names, types and labels are listed in the README's Prometheus section and defined in {@link
 * dev.llmrotate.observe.MetricNames}.
 *
 * <pre>{@code
 * PrometheusMetrics metrics = PrometheusMetrics.forEngine(lm);
 * // in the handler of GET /metrics:
 * String accept = request.getHeader("Accept");
 * response.setContentType(metrics.contentType(accept));
 * metrics.write(response.getOutputStream(), accept);
 * }</pre>
 *
 * <p>The text exposition format 0.0.4 by default, OpenMetrics 1.0 when the {@code Accept} header prefers {@code
 * application/openmetrics-text}. The metrics live in a registry of their own, not in Prometheus' default registry,
 * and the library's global configuration ({@code prometheus.properties}, system properties) does not apply. Label
 * values come from the configuration or from fixed sets, never from request content, so the number of series is
 * bounded by the configuration. Counters start at zero when this object is made; calls that ended before are not
 * counted. Thread-safe.
 */
public final class PrometheusMetrics implements AutoCloseable {
    private static final String OPENMETRICS = "application/openmetrics-text";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final LlmRotate.Subscription subscription;
    private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
    private final OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

    private PrometheusMetrics(LlmRotate lm) {
        if (lm.isObserver()) {
            registry.register(new FleetUsageMetrics(lm::usageSummary, lm::config));
            this.subscription = () -> {};
        } else {
            CallMetrics calls = new CallMetrics(new ModelLabels(lm::config));
            registry.register(calls);
            this.subscription = lm.onCall(calls);
        }
        registry.register(new HealthGauges(lm::health));
    }

    /**
     * Metrics of {@code lm}, counting from now until {@link #close()}. For an {@linkplain LlmRotate#isObserver()
     * observer}, which makes no calls, the per-call counters and histograms are replaced by the fleet's counters
     * read from the shared store at each scrape ({@code llm_rotate_fleet_*}, per key and per model); the health
     * gauges are the same.
     *
     * @param lm the instance to measure, not null; the caller keeps and closes it
     * @return the metrics, to close when no longer scraped
     */
    public static PrometheusMetrics forEngine(LlmRotate lm) {
        return new PrometheusMetrics(Objects.requireNonNull(lm, "lm"));
    }

    /**
     * The {@code Content-Type} of what {@link #write} writes for this {@code Accept} header (null or absent: the
     * text format): {@code text/plain; version=0.0.4; charset=utf-8} or {@code application/openmetrics-text;
     * version=1.0.0; charset=utf-8}.
     *
     * @param acceptHeader the scrape request's {@code Accept} header, or null
     * @return the content type to answer with
     */
    public String contentType(String acceptHeader) {
        return writer(acceptHeader).getContentType();
    }

    /**
     * Writes every metric now, in the format {@link #contentType} names for the same header. Reads one health report;
     * does not close {@code out}.
     *
     * @param out where the metrics go
     * @param acceptHeader the scrape request's {@code Accept} header, or null
     * @throws IOException when writing to {@code out} fails
     */
    public void write(OutputStream out, String acceptHeader) throws IOException {
        writer(acceptHeader).write(out, registry.scrape());
    }

    /** Stops counting calls (the listener is unregistered); a later {@link #write} still answers. Idempotent. */
    @Override
    public void close() {
        subscription.close();
    }

    private ExpositionFormatWriter writer(String acceptHeader) {
        return prefersOpenMetrics(acceptHeader) ? openMetrics : text;
    }

    /**
     * True when the header accepts {@code application/openmetrics-text} (version 1.x or 0.0.1, or no version) with a
     * quality above 0 and at least that of the text format ({@code text/plain}, {@code text/*}, {@code *}{@code /*}).
     * A malformed quality counts as 0.
     */
    static boolean prefersOpenMetrics(String acceptHeader) {
        if (acceptHeader == null || acceptHeader.isBlank()) {
            return false;
        }
        double openMetricsQuality = 0;
        double textQuality = 0;
        for (String range : acceptHeader.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            double quality = 1;
            String version = null;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim();
                int eq = param.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String name = param.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = param.substring(eq + 1).trim();
                if (name.equals("q")) {
                    quality = quality(value);
                } else if (name.equals("version")) {
                    version = value;
                }
            }
            if (type.equals(OPENMETRICS)) {
                if (version == null || version.startsWith("1.") || version.equals("0.0.1")) {
                    openMetricsQuality = Math.max(openMetricsQuality, quality);
                }
            } else if (type.equals("text/plain") || type.equals("text/*") || type.equals("*/*")) {
                textQuality = Math.max(textQuality, quality);
            }
        }
        return openMetricsQuality > 0 && openMetricsQuality >= textQuality;
    }

    private static double quality(String value) {
        try {
            double q = Double.parseDouble(value);
            return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
