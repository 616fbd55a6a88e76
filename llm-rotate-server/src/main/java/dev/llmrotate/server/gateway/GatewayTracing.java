package dev.llmrotate.server.gateway;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Map;

/**
 * Makes a request's W3C {@code traceparent} (and {@code tracestate}) the current OpenTelemetry context on the call's
 * thread, so that the call's spans (llm-rotate-otel) continue the client's trace. Without the OpenTelemetry API on
 * the class path the headers are ignored; the API's classes are touched only when it is there.
 */
final class GatewayTracing {
    private static final boolean AVAILABLE = available();
    private static final AutoCloseable NONE = () -> {};

    private GatewayTracing() {}

    private static boolean available() {
        try {
            Class.forName("io.opentelemetry.context.Context", false, GatewayTracing.class.getClassLoader());
            Class.forName(
                    "io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator",
                    false,
                    GatewayTracing.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Enters the trace context the headers carry; close the result when the call has ended. Does nothing for a
     * missing or malformed {@code traceparent} (the propagator ignores what it cannot parse).
     */
    static AutoCloseable enter(String traceparent, String tracestate) {
        if (!AVAILABLE || traceparent == null || traceparent.length() > 128) {
            return NONE;
        }
        return W3c.enter(traceparent, tracestate == null || tracestate.length() > 512 ? null : tracestate);
    }

    /** The part that names OpenTelemetry's classes, loaded only when they are there. */
    private static final class W3c {
        private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
            @Override
            public Iterable<String> keys(Map<String, String> carrier) {
                return carrier.keySet();
            }

            @Override
            public String get(Map<String, String> carrier, String key) {
                return carrier == null ? null : carrier.get(key);
            }
        };

        static AutoCloseable enter(String traceparent, String tracestate) {
            Map<String, String> carrier = tracestate == null
                    ? Map.of("traceparent", traceparent)
                    : Map.of("traceparent", traceparent, "tracestate", tracestate);
            Context context = W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, GETTER);
            Scope scope = context.makeCurrent();
            return scope::close;
        }

        private W3c() {}
    }
}
