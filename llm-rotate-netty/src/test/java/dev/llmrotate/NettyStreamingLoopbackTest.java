package dev.llmrotate;

/** {@link StreamingLoopbackTest} over the Netty client. */
class NettyStreamingLoopbackTest extends StreamingLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
