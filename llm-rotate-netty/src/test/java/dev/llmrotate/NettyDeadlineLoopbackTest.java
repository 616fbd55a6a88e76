package dev.llmrotate;

/** {@link DeadlineLoopbackTest} over the Netty client. */
class NettyDeadlineLoopbackTest extends DeadlineLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
