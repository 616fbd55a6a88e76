package dev.llmrotate;

/** {@link StreamDeadlineLoopbackTest} over the Netty client. */
class NettyStreamDeadlineLoopbackTest extends StreamDeadlineLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
