package dev.llmrotate;

/** {@link ShutdownAndInterruptLoopbackTest} over the Netty client. */
class NettyShutdownAndInterruptLoopbackTest extends ShutdownAndInterruptLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
