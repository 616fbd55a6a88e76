package dev.llmrotate;

/** {@link BedrockLoopbackTest} over the Netty client. */
class NettyBedrockLoopbackTest extends BedrockLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
