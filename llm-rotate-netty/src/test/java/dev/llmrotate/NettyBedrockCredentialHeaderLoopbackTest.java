package dev.llmrotate;

/** {@link BedrockCredentialHeaderLoopbackTest} over the Netty client. */
class NettyBedrockCredentialHeaderLoopbackTest extends BedrockCredentialHeaderLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
