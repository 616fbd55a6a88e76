package dev.llmrotate;

/** {@link StreamEndWithoutReasonTest} over the Netty client. */
class NettyStreamEndWithoutReasonLoopbackTest extends StreamEndWithoutReasonTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
