import Foundation
import Logging
import NIOCore
import NIOSSH

/// Per connection: the login grace time, the count of connections waiting to authenticate,
/// errors (logged, the connection closed; never the server), and the closing log line.
final class ConnectionGuard: ChannelInboundHandler {
    typealias InboundIn = Any

    private let admission: Admission
    private let limits: ServerLimits
    private let address: String
    private let logger: Logger
    private var isAuthenticated = false
    private var grace: Scheduled<Void>?
    private let opened = Date()
    private(set) var sessionChannels = 0
    private var channel: Channel?

    init(admission: Admission, limits: ServerLimits, address: String, logger: Logger) {
        self.admission = admission
        self.limits = limits
        self.address = address
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        channel = context.channel
        startGraceTimer(context.eventLoop, "not authenticated within the login grace time; closing")
        // NIOSSHHandler does not pass channelInactive on: the close future is what always comes.
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.channel.closeFuture.whenComplete { _ in bound.value.closed() }
    }

    /// Closes the connection unless what it waits for (authentication, then a session) comes in time.
    private func startGraceTimer(_ loop: EventLoop, _ message: Logger.Message) {
        let channel = self.channel
        let logger = self.logger
        grace?.cancel()
        grace = loop.scheduleTask(in: .milliseconds(Int64(limits.loginGraceTime * 1000))) {
            logger.notice(message)
            channel?.close(promise: nil)
        }
    }

    func sessionOpened() {
        sessionChannels += 1
        grace?.cancel()
    }

    func authenticated() {
        guard !isAuthenticated, let channel else { return }
        isAuthenticated = true
        admission.leftUnauthenticated(from: address)
        // An authenticated connection that never opens a session holds a place for nothing.
        if sessionChannels == 0 {
            startGraceTimer(channel.eventLoop, "no session opened within the login grace time; closing")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.info("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func closed() {
        grace?.cancel()
        channel = nil
        if !isAuthenticated { admission.leftUnauthenticated(from: address) }
        logger.info(
            "disconnected",
            metadata: [
                "duration": "\(String(format: "%.1f s", Date().timeIntervalSince(opened)))",
                "authenticated": "\(isAuthenticated)",
            ])
    }
}

/// First in a connection's pipeline: closes it unless the client's SSH version line (RFC 4253
/// 4.2, at most 255 bytes with its CR LF) has arrived within the grace time. A client sends it as
/// soon as it connects, so one that says nothing, or dribbles, holds a place for nothing. Steps
/// aside once the line is in.
final class VersionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let graceTime: TimeInterval
    private let logger: Logger
    private var timer: Scheduled<Void>?
    private var received = 0
    private var done = false

    init(graceTime: TimeInterval, logger: Logger) {
        self.graceTime = graceTime
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let logger = self.logger
        let seconds = graceTime
        timer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(graceTime * 1000))) {
            logger.notice(
                "no SSH version line within the version grace time; closing",
                metadata: ["seconds": "\(String(format: "%.4g", seconds))"])
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if !done {
            if let newline = bytes.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                received += newline - bytes.readerIndex + 1
                done = received <= 255
            } else {
                received += bytes.readableBytes
            }
            // No line within 255 bytes: not an SSH client (NIOSSH would refuse it too, later).
            if !done && received >= 255 {
                logger.notice("no SSH version line in the first 255 bytes; closing")
                timer?.cancel()
                context.close(promise: nil)
                return
            }
        }
        context.fireChannelRead(data)
        if done {
            timer?.cancel()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
