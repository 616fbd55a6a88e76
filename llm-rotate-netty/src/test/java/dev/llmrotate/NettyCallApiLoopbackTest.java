package dev.llmrotate;

/** {@link CallApiLoopbackTest} over the Netty client. */
class NettyCallApiLoopbackTest extends CallApiLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
