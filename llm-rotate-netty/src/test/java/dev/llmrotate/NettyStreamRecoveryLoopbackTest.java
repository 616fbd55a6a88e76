package dev.llmrotate;

/** {@link StreamRecoveryLoopbackTest} over the Netty client. */
class NettyStreamRecoveryLoopbackTest extends StreamRecoveryLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
