package dev.llmrotate;

/** {@link FaultMatrixLoopbackTest} over the Netty client. */
class NettyFaultMatrixLoopbackTest extends FaultMatrixLoopbackTest {
    @Override
    protected LlmRotateBuilder builder() {
        return OverNetty.builder();
    }
}
