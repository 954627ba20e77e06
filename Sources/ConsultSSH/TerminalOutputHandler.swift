import NIOCore

/// The pseudo-terminal's master side: what the consultation writes goes to the SSH channel.
/// After the child is gone, reading the master fails with EIO: that is its end of output.
/// Whether to read now (back-pressure) is the session's decision.
final class TerminalOutputHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private let session: NIOLoopBound<ConsultationHandler>
    private var context: ChannelHandlerContext?

    init(_ session: NIOLoopBound<ConsultationHandler>) {
        self.session = session
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func read(context: ChannelHandlerContext) {
        if session.value.terminalReadRequested() { context.read() }
    }

    /// A read held back while the client could take no more output, done now.
    func resumeReads() {
        context?.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session.value.terminalOutput(unwrapInboundIn(data))
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        session.value.terminalWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.value.terminalClosed()
        context.fireChannelInactive()
    }
}
