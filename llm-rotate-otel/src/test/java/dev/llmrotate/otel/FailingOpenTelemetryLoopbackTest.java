package dev.llmrotate.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.testkit.FakeResponse;
import io.opentelemetry.api.OpenTelemetry;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An OpenTelemetry whose every instrument and span throws: the hooks swallow it and calls go on unharmed. */
class FailingOpenTelemetryLoopbackTest extends OtelLoopbackSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    /** How many times the hostile OpenTelemetry threw. */
    private final AtomicInteger thrown = new AtomicInteger();

    /**
     * Builders hand out more hostile objects, so that creating the tracer and instruments works; every method that
     * does something (returns void: record, add, end) throws.
     */
    private Object hostile(Class<?> type) {
        InvocationHandler handler = (proxy, method, args) -> answer(proxy, method, args);
        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, handler);
    }

    private Object answer(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "toString":
                return "hostile " + method.getDeclaringClass().getSimpleName();
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                break;
        }
        Class<?> returned = method.getReturnType();
        if (returned.isInterface()) {
            return hostile(returned);
        }
        thrown.incrementAndGet();
        throw new IllegalStateException("hostile OpenTelemetry: " + method.getName());
    }

    @Test
    void callsSucceedRotateAndFailAsUsualWhenOpenTelemetryThrows() {
        OpenTelemetry broken = (OpenTelemetry) hostile(OpenTelemetry.class);
        LlmRotate lm = keep(LlmRotate.builder()
                .config(config(openaiKey("a", 2), openaiKey("b", 1)).build())
                .telemetry(OtelTelemetry.create(broken))
                .build());

        openai.forKey(secret("a")).next(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.byDefault().always(FakeResponse.ok("hello"));
        assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isEqualTo("b");
        int afterRotation = thrown.get();
        assertThat(afterRotation)
                .as("span ends, rotation counter and histogram threw")
                .isGreaterThanOrEqualTo(3);

        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(NoAvailableKeyException.class);
        assertThat(thrown.get()).isGreaterThan(afterRotation);
    }
}
