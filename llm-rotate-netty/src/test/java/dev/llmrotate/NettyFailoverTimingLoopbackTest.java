package dev.llmrotate;

/** {@link FailoverTimingLoopbackTest} over the Netty client. */
class NettyFailoverTimingLoopbackTest extends FailoverTimingLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
