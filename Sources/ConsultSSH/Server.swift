import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSH

/// The SSH server: accepts connections (within the limits), authenticates, and gives each
/// session a consultation of its own. ``run()`` blocks until ``shutDown()``; shutting down refuses
/// new connections, asks every consultation to close its transcript (SIGTERM), waits for them
/// (``ServerConfiguration/shutdownGraceTime``), kills what is left, and waits for the clients to
/// have their exit statuses.
public final class ConsultSSHServer: Sendable {
    private let configuration: ServerConfiguration
    private let messages: ServerMessages
    private let admission: Admission
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let listener = NIOLockedValueBox<Channel?>(nil)

    public init(
        configuration: ServerConfiguration, messages: ServerMessages, logger: Logger,
        threads: Int = System.coreCount
    ) {
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
                Self.initialize(
                    connection: channel, configuration: configuration, messages: messages,
                    admission: admission, logger: logger)
            }
        let channel = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
        listener.withLockedValue { $0 = channel }
        guard let address = channel.localAddress else {
            throw ConfigurationError("the listening socket has no address")
        }
        return address
    }

    /// Blocks until the listener closes (``shutDown()``), then ends what is still running. Each
    /// step waits for ``Admission`` to report that it is done, or for its deadline: no polling.
    public func run() throws {
        guard let channel = listener.withLockedValue({ $0 }) else {
            throw ConfigurationError("the server was not started")
        }
        try channel.closeFuture.wait()
        if !Self.wait(upTo: configuration.shutdownGraceTime, for: admission.whenNoConsultationRuns) {
            logger.warning(
                "consultations still running after the grace time; killing them",
                metadata: ["count": "\(admission.runningSessions)"])
            admission.signalAll(SIGKILL)
            _ = Self.wait(upTo: 2, for: admission.whenNoConsultationRuns)
        }
        // Let the exit statuses reach the clients before the connections go.
        if !Self.wait(upTo: 2, for: admission.whenEverySessionClosed) {
            logger.notice(
                "sessions not closed by their clients; closing them", metadata: ["count": "\(admission.openSessions)"])
        }
        try group.syncShutdownGracefully()
        logger.info("stopped")
    }

    /// Blocks until `register` calls back, or `seconds` pass; true when it called back.
    private static func wait(upTo seconds: TimeInterval, for register: (@escaping @Sendable () -> Void) -> Void) -> Bool
    {
        let done = ConditionLock(value: false)
        register {
            done.lock()
            done.unlock(withValue: true)
        }
        guard done.lock(whenValue: true, timeoutSeconds: seconds) else { return false }
        done.unlock()
        return true
    }

    /// Stops accepting and asks every consultation to end (callable from any thread, more than once).
    public func shutDown() {
        guard !admission.isShuttingDown else { return }
        logger.info("shutting down", metadata: ["sessions": "\(admission.runningSessions)"])
        admission.shutDown(signal: SIGTERM)
        listener.withLockedValue { $0 }?.close(promise: nil)
    }

    private static func initialize(
        connection channel: Channel, configuration: ServerConfiguration, messages: ServerMessages,
        admission: Admission, logger baseLogger: Logger
    ) -> EventLoopFuture<Void> {
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
            remoteIP: remoteIP, localIP: local?.ipAddress ?? configuration.host,
            localPort: local?.port ?? configuration.port,
            logger: logger)
        return channel.eventLoop.makeCompletedFuture {
            let guardHandler = ConnectionGuard(
                admission: admission, limits: configuration.limits, address: remoteIP, logger: logger)
            let bound = NIOLoopBound(guardHandler, eventLoop: channel.eventLoop)
            var serverConfiguration = SSHServerConfiguration(
                hostKeys: [configuration.hostKey],
                userAuthDelegate: Authenticator(configuration: configuration, logger: logger) {
                    bound.value.authenticated()
                })
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
                            ConsultationHandler(
                                configuration: configuration, admission: admission,
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

/// What one connection knows of itself, shared by its handlers.
struct ConnectionInfo: Sendable {
    /// "203.0.113.5 50122 192.0.2.1 2222", as SSH_CONNECTION.
    let sshConnection: String
    /// The client's address (for the per-address limits).
    let remoteIP: String
    /// The address and port this client reached (for "connect with ..." in messages).
    let localIP: String
    let localPort: Int
    let logger: Logger
}
