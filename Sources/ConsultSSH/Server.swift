import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSH

/// The SSH server: accepts connections (within the limits), authenticates, and gives each
/// session a consultation of its own. ``run()`` blocks until ``shutDown()``; shutting down refuses
/// new connections, asks every consultation to close its transcript (SIGTERM), waits for them
/// (``ServerConfiguration/shutdownGraceTime``), then kills what is left.
public final class ConsultSSHServer: Sendable {
    private let configuration: ServerConfiguration
    private let messages: ServerMessages
    private let admission: Admission
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let listener = NIOLockedValueBox<Channel?>(nil)

    public init(configuration: ServerConfiguration, messages: ServerMessages, logger: Logger,
                threads: Int = System.coreCount) {
        self.configuration = configuration
        self.messages = messages
        self.logger = logger
        admission = Admission(limits: configuration.limits)
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
    }

    /// Binds the listening socket; returns the address it is bound to (port 0 picks a free one).
    @discardableResult
    public func start() throws -> SocketAddress {
        let configuration = self.configuration
        let messages = self.messages
        let admission = self.admission
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                Self.initialize(connection: channel, configuration: configuration, messages: messages,
                                admission: admission, logger: logger)
            }
        let channel = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
        listener.withLockedValue { $0 = channel }
        guard let address = channel.localAddress else { throw ConfigurationError("the listening socket has no address") }
        return address
    }

    /// Blocks until the listener closes (``shutDown()``), then ends what is still running.
    public func run() throws {
        guard let channel = listener.withLockedValue({ $0 }) else { throw ConfigurationError("the server was not started") }
        try channel.closeFuture.wait()
        let deadline = Date().addingTimeInterval(configuration.shutdownGraceTime)
        while admission.runningSessions > 0 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        if admission.runningSessions > 0 {
            logger.warning("consultations still running after the grace time; killing them",
                           metadata: ["count": "\(admission.runningSessions)"])
            admission.signalAll(SIGKILL)
            let killDeadline = Date().addingTimeInterval(2)
            while admission.runningSessions > 0 && Date() < killDeadline { Thread.sleep(forTimeInterval: 0.05) }
        }
        // Let the exit statuses reach the clients before the connections go.
        Thread.sleep(forTimeInterval: 0.3)
        try group.syncShutdownGracefully()
        logger.info("stopped")
    }

    /// Stops accepting and asks every consultation to end (callable from any thread, more than once).
    public func shutDown() {
        guard !admission.isShuttingDown else { return }
        logger.info("shutting down", metadata: ["sessions": "\(admission.runningSessions)"])
        admission.shutDown(signal: SIGTERM)
        listener.withLockedValue { $0 }?.close(promise: nil)
    }

    private static func initialize(connection channel: Channel, configuration: ServerConfiguration, messages: ServerMessages,
                                   admission: Admission, logger baseLogger: Logger) -> EventLoopFuture<Void> {
        let remote = channel.remoteAddress
        let remoteIP = remote?.ipAddress ?? "unknown"
        let id = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        var logger = baseLogger
        logger[metadataKey: "conn"] = "\(id)"
        logger[metadataKey: "remote"] = "\(remoteIP):\(remote?.port ?? 0)"
        if let refusal = admission.admitConnection(from: remoteIP) {
            logger.notice("connection refused", metadata: ["reason": "\(refusal.rawValue)"])
            return channel.close()
        }
        logger.info("connected")
        let local = channel.localAddress
        let info = ConnectionInfo(
            sshConnection: "\(remoteIP) \(remote?.port ?? 0) \(local?.ipAddress ?? "0.0.0.0") \(local?.port ?? 0)",
            remoteIP: remoteIP, localIP: local?.ipAddress ?? configuration.host, localPort: local?.port ?? configuration.port,
            logger: logger)
        return channel.eventLoop.makeCompletedFuture {
            let guardHandler = ConnectionGuard(admission: admission, limits: configuration.limits, address: remoteIP, logger: logger)
            let bound = NIOLoopBound(guardHandler, eventLoop: channel.eventLoop)
            var serverConfiguration = SSHServerConfiguration(
                hostKeys: [configuration.hostKey],
                userAuthDelegate: Authenticator(configuration: configuration, logger: logger) { bound.value.authenticated() })
            serverConfiguration.maxAuthAttempts = configuration.limits.authenticationAttempts
            // OpenSSH's session packet size (32 KiB, so a 2 MiB window): what a client may send
            // ahead of a consultation that reads slowly (a paste) is held within that, per session.
            serverConfiguration.maximumPacketSize = 32 * 1024
            let ssh = NIOSSHHandler(
                role: .server(serverConfiguration), allocator: channel.allocator,
                inboundChildChannelInitializer: { child, type in
                    // One consultation per connection; no forwarding of any kind.
                    guard type == .session, bound.value.sessionChannels == 0 else {
                        logger.notice("channel refused", metadata: ["type": "\(type)"])
                        return child.eventLoop.makeFailedFuture(ChannelRefused())
                    }
                    bound.value.sessionOpened()
                    // One consultation per connection: when its channel closes, so does the connection.
                    // The client normally closes first; the delay lets the last bytes leave.
                    child.closeFuture.whenComplete { _ in
                        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
                    }
                    return child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.addHandler(
                            ConsultationHandler(configuration: configuration, admission: admission,
                                                messages: messages, connection: info))
                    }
                })
            try channel.pipeline.syncOperations.addHandlers([
                VersionGuard(graceTime: configuration.limits.versionGraceTime, logger: logger), ssh, guardHandler,
            ])
        }
    }
}

struct ChannelRefused: Error {}

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
        if sessionChannels == 0 { startGraceTimer(channel.eventLoop, "no session opened within the login grace time; closing") }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.info("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func closed() {
        grace?.cancel()
        channel = nil
        if !isAuthenticated { admission.leftUnauthenticated(from: address) }
        logger.info("disconnected", metadata: [
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
            logger.notice("no SSH version line within the version grace time; closing",
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
