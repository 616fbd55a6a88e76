package dev.llmrotate;

/** {@link ConcurrencyLoopbackTest} over the Netty client. */
class NettyConcurrencyLoopbackTest extends ConcurrencyLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
