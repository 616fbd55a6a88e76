package dev.llmrotate;

/** {@link SecretHeaderLoopbackTest} over the Netty client. */
class NettySecretHeaderLoopbackTest extends SecretHeaderLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
