package dev.llmrotate;

/** {@link InvalidResponseLoopbackTest} over the Netty client. */
class NettyInvalidResponseLoopbackTest extends InvalidResponseLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
