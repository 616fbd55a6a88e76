package dev.llmrotate;

/** {@link FallbackChainLoopbackTest} over the Netty client. */
class NettyFallbackChainLoopbackTest extends FallbackChainLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
