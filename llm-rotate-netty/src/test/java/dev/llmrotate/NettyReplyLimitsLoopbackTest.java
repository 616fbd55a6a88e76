package dev.llmrotate;

/** {@link ReplyLimitsLoopbackTest} over the Netty client. */
class NettyReplyLimitsLoopbackTest extends ReplyLimitsLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
