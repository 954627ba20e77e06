import ConsultEngine
import ConsultLocalization
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSH

/// What one connection knows of itself, shared by its handlers.
struct ConnectionInfo: Sendable {
    /// "203.0.113.5 50122 192.0.2.1 2222", as SSH_CONNECTION.
    let sshConnection: String
    /// The client's address (for the per-address limits).
    let remoteIP: String
    /// The address and port this client reached (for "connect with …" in messages).
    let localIP: String
    let localPort: Int
    let logger: Logger
}

/// One SSH session channel: answers its requests (pty-req, env, shell, window-change; refuses exec
/// and subsystems) and runs one consultation in a pseudo-terminal, copying bytes both ways. When
/// the child exits its status goes back to the client; when the client goes, the child gets SIGHUP.
final class ConsultationHandler: ChannelDuplexHandler {
    typealias InboundIn = SSHChannelData
    typealias OutboundIn = SSHChannelData
    typealias OutboundOut = SSHChannelData

    /// What the client gets after the server ended its consultation (a shutdown, the session time
    /// limit) and it closed normally: a shell's status for a command ended by SIGTERM, so that
    /// scripts and people see it did not finish.
    static let shutdownExitStatus = 128 + Int(SIGTERM)
    /// `consult`'s exit status when the records of its consultation could not be written.
    static let recordsFailedExitStatus = 4

    private enum Phase {
        case waiting, running, finished
    }

    private let configuration: ServerConfiguration
    private let admission: Admission
    private let messages: ServerMessages
    private let connection: ConnectionInfo
    private let logger: Logger

    private var context: ChannelHandlerContext?
    private var loop: EventLoop?
    private var phase = Phase.waiting
    private var terminal: SSHChannelRequestEvent.PseudoTerminalRequest?
    private var environment: [String: String] = [:]

    private var pid: Int32 = 0
    /// A descriptor of the master kept for resizing (the pipe channel owns its own).
    private var resizeDescriptor: Int32 = -1
    private var pipe: Channel?
    private var pipeClosed = false
    /// A read of the client's bytes held back while the terminal cannot take more (back-pressure).
    private var readHeld = false
    /// The terminal's reader, told when the client can take output again.
    fileprivate var output: TerminalOutputHandler?
    private var exitStatus: Int?
    private var reason: String?
    /// The server ended the consultation (the session time limit): the client must not read success.
    private var endedByServer = false
    /// A message of the server's shown after the child's last output (the time limit).
    private var closingMessage: String?
    private var started = Date()
    private var lastInput = Date()
    private var size = (columns: 80, rows: 24)
    private var timers: [Scheduled<Void>] = []
    private var idleCheck: RepeatedTask?

    init(configuration: ServerConfiguration, admission: Admission, messages: ServerMessages, connection: ConnectionInfo) {
        self.configuration = configuration
        self.admission = admission
        self.messages = messages
        self.connection = connection
        logger = connection.logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        loop = context.eventLoop
        // The client's EOF arrives as an event (`inputClosed`) rather than closing the channel.
        context.channel.setOption(ChannelOptions.allowRemoteHalfClosure, value: true).whenFailure { [logger] error in
            logger.warning("cannot enable half-closure", metadata: ["error": "\(error)"])
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: - Requests

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let request as SSHChannelRequestEvent.PseudoTerminalRequest:
            let acceptable = phase == .waiting && terminal == nil
            if acceptable {
                terminal = request
                size = (request.terminalCharacterWidth, request.terminalRowHeight)
            }
            reply(request.wantReply, acceptable, context)

        case let request as SSHChannelRequestEvent.EnvironmentRequest:
            let acceptable = phase == .waiting && Self.isLocaleVariable(request.name, request.value)
            if acceptable { environment[request.name] = request.value }
            logger.debug("environment variable \(acceptable ? "taken" : "refused")", metadata: ["name": "\(request.name.prefix(64).debugDescription)"])
            reply(request.wantReply, acceptable, context)

        case let request as SSHChannelRequestEvent.ShellRequest:
            shell(wantReply: request.wantReply, context: context)

        case let request as SSHChannelRequestEvent.ExecRequest:
            refuse("exec", detail: request.command, wantReply: request.wantReply, context: context)

        case let request as SSHChannelRequestEvent.SubsystemRequest:
            refuse("subsystem", detail: request.subsystem, wantReply: request.wantReply, context: context)

        case let request as SSHChannelRequestEvent.WindowChangeRequest:
            size = (request.terminalCharacterWidth, request.terminalRowHeight)
            if resizeDescriptor >= 0 {
                ChildInTerminal.resize(master: resizeDescriptor, columns: size.columns, rows: size.rows)
            }
            logger.debug("window changed", metadata: ["size": "\(size.columns)x\(size.rows)"])

        case ChannelEvent.inputClosed:
            // A pseudo-terminal has no half-close: the client's EOF is the terminal's EOF key.
            if let pipe, phase == .running {
                var buffer = pipe.allocator.buffer(capacity: 1)
                buffer.writeInteger(UInt8(0x04))
                pipe.writeAndFlush(buffer, promise: nil)
            }

        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func reply(_ wantReply: Bool, _ success: Bool, _ context: ChannelHandlerContext) {
        guard wantReply else { return }
        if success {
            context.triggerUserOutboundEvent(ChannelSuccessEvent(), promise: nil)
        } else {
            context.triggerUserOutboundEvent(ChannelFailureEvent(), promise: nil)
        }
    }

    /// Only the locale's variables, with values that look like locale names.
    static func isLocaleVariable(_ name: String, _ value: String) -> Bool {
        let nameAllowed = name == "LANG" || name == "LANGUAGE"
            || (name.hasPrefix("LC_") && name.count <= 20 && name.dropFirst(3).allSatisfy { $0.isASCII && ($0.isUppercase || $0 == "_") })
        let valueAllowed = value.count <= 100 && value.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._@:-".unicodeScalars.contains($0))
        }
        return nameAllowed && valueAllowed
    }

    /// `exec` and subsystems: no command and no file transfer here, and the client is told so.
    private func refuse(_ kind: String, detail: String, wantReply: Bool, context: ChannelHandlerContext) {
        logger.notice("\(kind) refused", metadata: ["request": "\(String(detail.prefix(80)).debugDescription)"])
        guard phase == .waiting else { return reply(wantReply, false, context) }
        phase = .finished
        reason = "\(kind) refused"
        let text = messages.text("ssh.no_commands", ["command": .text(connectCommand)], environment: environment)
        // Accepted only to be answered: with a failure reply OpenSSH prints its own generic line
        // and drops ours. Nothing is run; the client gets the message and exit status 1.
        reply(wantReply, true, context)
        write(text, to: .stdErr, context)
        context.triggerUserOutboundEvent(SSHChannelRequestEvent.ExitStatus(exitStatus: 1), promise: nil)
        context.close(promise: nil)
    }

    /// How an applicant connects, for messages: `ssh -p 2222 192.0.2.1`, the address this client reached.
    private var connectCommand: String {
        let host = connection.localIP.contains(":") ? "[\(connection.localIP)]" : connection.localIP
        return connection.localPort == 22 ? "ssh \(host)" : "ssh -p \(connection.localPort) \(host)"
    }

    private func write(_ text: String, to type: SSHChannelData.DataType, _ context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        context.writeAndFlush(wrapOutboundOut(SSHChannelData(type: type, data: .byteBuffer(buffer))), promise: nil)
    }

    /// Ends the channel before any consultation started: a message, an exit status, close.
    private func decline(_ key: MessageKey, reason: String, _ arguments: [String: Argument] = [:], context: ChannelHandlerContext) {
        phase = .finished
        self.reason = reason
        write(messages.text(key, arguments, environment: environment), to: .stdErr, context)
        context.triggerUserOutboundEvent(SSHChannelRequestEvent.ExitStatus(exitStatus: 1), promise: nil)
        context.close(promise: nil)
        logger.notice("session declined", metadata: ["reason": "\(reason)"])
    }

    // MARK: - The consultation

    private func shell(wantReply: Bool, context: ChannelHandlerContext) {
        guard phase == .waiting else { return reply(wantReply, false, context) }
        reply(wantReply, true, context)
        guard let terminal else {
            return decline("ssh.needs_terminal", reason: "no terminal", ["command": .text(connectCommand)], context: context)
        }
        if let refusal = admission.reserveSession(from: connection.remoteIP) {
            logger.notice("session refused", metadata: ["reason": "\(refusal.rawValue)"])
            return decline("ssh.busy", reason: refusal.rawValue, context: context)
        }
        var childEnvironment = environment
        childEnvironment["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        childEnvironment["TERM"] = Self.sanitizedTerm(terminal.term)
        childEnvironment["SSH_CONNECTION"] = connection.sshConnection
        let child: ChildInTerminal
        do {
            child = try ChildInTerminal.spawn(arguments: configuration.command.arguments(idleTimeout: configuration.limits.idleTimeout),
                                              environment: childEnvironment, columns: size.columns, rows: size.rows,
                                              modes: terminal.terminalModes)
        } catch {
            admission.sessionStarted(pid: nil, address: connection.remoteIP)
            logger.error("cannot start a consultation", metadata: ["error": "\(error)"])
            return decline("ssh.unavailable", reason: "start failed", context: context)
        }
        admission.sessionStarted(pid: child.pid, address: connection.remoteIP)
        phase = .running
        pid = child.pid
        started = Date()
        lastInput = started
        resizeDescriptor = dup(child.master)
        _ = fcntl(resizeDescriptor, F_SETFD, FD_CLOEXEC)
        logger.info("session started", metadata: [
            "pid": "\(pid)", "term": "\(childEnvironment["TERM"] ?? "")", "size": "\(size.columns)x\(size.rows)",
            "lang": "\(environment["LC_ALL"] ?? environment["LANG"] ?? "-")",
        ])

        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        let admission = self.admission
        child.whenExited { status in
            admission.sessionEnded(pid: child.pid)
            loop.execute { bound.value.childExited(status: status) }
        }
        let sshChannel = context.channel
        NIOPipeBootstrap(group: loop)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: false)
            .channelInitializer { pipeChannel in
                pipeChannel.eventLoop.makeCompletedFuture {
                    let output = TerminalOutputHandler(bound)
                    bound.value.output = output
                    try pipeChannel.pipeline.syncOperations.addHandler(output)
                }
            }
            .takingOwnershipOfDescriptor(inputOutput: child.master)
            .whenComplete { result in
                let handler = bound.value
                switch result {
                case .success(let channel):
                    handler.pipe = channel
                    if handler.phase != .running || !sshChannel.isActive {
                        // The client left while the pipe was being set up.
                        handler.hangUp(reason: handler.reason ?? "client disconnected")
                    }
                case .failure(let error):
                    handler.logger.error("cannot attach the terminal", metadata: ["error": "\(error)"])
                    handler.pipeClosed = true
                    handler.hangUp(reason: "start failed")
                }
            }

        let limits = configuration.limits
        timers.append(loop.scheduleTask(in: .milliseconds(Int64(limits.maximumSessionTime * 1000))) {
            let handler = bound.value
            guard handler.exitStatus == nil else { return }
            handler.reason = "time limit"
            handler.endedByServer = true
            handler.closingMessage = handler.messages.text(
                "ssh.time_limit", ["minutes": .number(Int((limits.maximumSessionTime / 60).rounded()))],
                environment: handler.environment)
            // SIGTERM: the consultation closes its transcript ("interrupted") and exits.
            kill(handler.pid, SIGTERM)
            handler.scheduleKill(after: 10)
        })
        // The child closes an idle consultation itself; this is the backstop should it not.
        let backstop = limits.idleTimeout + 60
        idleCheck = loop.scheduleRepeatedTask(initialDelay: .seconds(15), delay: .seconds(15)) { task in
            let handler = bound.value
            guard handler.exitStatus == nil else { return task.cancel() }
            if Date().timeIntervalSince(handler.lastInput) > backstop {
                task.cancel()
                handler.hangUp(reason: "idle")
            }
        }
    }

    static func sanitizedTerm(_ term: String) -> String {
        let allowed = !term.isEmpty && term.count <= 64
            && term.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._+-".unicodeScalars.contains($0)) }
        return allowed ? term : "xterm"
    }

    // MARK: - Bytes both ways

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        guard case .channel = message.type, case .byteBuffer(let bytes) = message.data, phase == .running, let pipe else { return }
        lastInput = Date()
        pipe.write(bytes, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        pipe?.flush()
        context.fireChannelReadComplete()
    }

    /// Back-pressure by holding reads, not by switching `autoRead`: the SSH child channel does
    /// not read again when `autoRead` is switched back on, which froze a session after a big paste
    /// for good. While the child reads slower than the client types, the client's bytes stay in
    /// its SSH window (no window adjust), so the client stops sending; nothing is dropped.
    func read(context: ChannelHandlerContext) {
        if let pipe, pipe.isActive, !pipe.isWritable {
            readHeld = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // The client reads slower than the consultation writes: the terminal's reads wait meanwhile.
        output?.clientWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    /// Whether the client can take more output now.
    fileprivate var clientIsWritable: Bool {
        context?.channel.isWritable ?? true
    }

    private func releaseHeldRead() {
        guard readHeld, let context else { return }
        readHeld = false
        context.read()
    }

    /// Output of the consultation, to the client.
    fileprivate func terminalOutput(_ bytes: ByteBuffer) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(bytes))), promise: nil)
    }

    fileprivate func terminalWritabilityChanged(_ writable: Bool) {
        if writable { releaseHeldRead() }
    }

    fileprivate func terminalClosed() {
        pipeClosed = true
        output = nil
        // Nothing holds the client's bytes back any more (they are dropped from now on).
        releaseHeldRead()
        finishIfDone()
    }

    // MARK: - Ending

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.info("session channel error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if phase == .running && exitStatus == nil {
            hangUp(reason: reason ?? "client disconnected")
        }
        context.fireChannelInactive()
    }

    /// The client went (or a limit was reached): close the terminal so the child gets SIGHUP and
    /// its transcript ends "disconnected"; kill it if it does not go.
    private func hangUp(reason: String) {
        if self.reason == nil { self.reason = reason }
        guard exitStatus == nil, pid > 0 else { return }
        if resizeDescriptor >= 0 {
            closeDescriptor(resizeDescriptor)
            resizeDescriptor = -1
        }
        pipe?.close(promise: nil)
        kill(pid, SIGHUP)
        scheduleKill(after: 10)
    }

    private func scheduleKill(after seconds: Int64) {
        guard let loop else { return }
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleTask(in: .seconds(seconds)) {
            let handler = bound.value
            if handler.exitStatus == nil {
                handler.logger.warning("consultation did not end; killing it", metadata: ["pid": "\(handler.pid)"])
                kill(handler.pid, SIGKILL)
            }
        }
    }

    private func childExited(status: Int) {
        exitStatus = status
        if admission.isShuttingDown && reason == nil { reason = "server shutdown" }
        // The consultation closed its transcript ("interrupted") and exited normally, but the
        // applicant's session did not end normally: the client must not read success.
        if (admission.isShuttingDown || endedByServer) && status == 0 { exitStatus = Self.shutdownExitStatus }
        if status > 128 && reason == nil {
            reason = "consultation ended by signal \(status - 128)"
            logger.error("the consultation crashed or was killed", metadata: ["pid": "\(pid)", "signal": "\(status - 128)"])
        }
        if !pipeClosed, let loop {
            // The rest of the output is read until the terminal reports EIO; do not wait for ever.
            let bound = NIOLoopBound(self, eventLoop: loop)
            loop.scheduleTask(in: .seconds(2)) {
                let handler = bound.value
                if !handler.pipeClosed { handler.pipe?.close(promise: nil) }
            }
        }
        finishIfDone()
    }

    /// Once the child has exited and its last output is sent: the server's closing message if
    /// any, the exit status, and the channel closes.
    private func finishIfDone() {
        guard let status = exitStatus, pipeClosed, phase == .running else { return }
        readHeld = false
        output = nil
        phase = .finished
        timers.forEach { $0.cancel() }
        idleCheck?.cancel()
        if resizeDescriptor >= 0 {
            closeDescriptor(resizeDescriptor)
            resizeDescriptor = -1
        }
        let duration = String(format: "%.1f s", Date().timeIntervalSince(started))
        var metadata: Logger.Metadata = [
            "pid": "\(pid)", "duration": "\(duration)", "reason": "\(reason ?? "exited")", "status": "\(status)",
        ]
        if status == Self.recordsFailedExitStatus {
            // The applicant was told; the office must be too: a consultation without its records.
            metadata["records"] = "not written"
            logger.error("session ended", metadata: metadata)
        } else {
            logger.info("session ended", metadata: metadata)
        }
        guard let context, context.channel.isActive else { return }
        if let closingMessage { write(closingMessage, to: .channel, context) }
        context.triggerUserOutboundEvent(SSHChannelRequestEvent.ExitStatus(exitStatus: status), promise: nil)
        context.close(promise: nil)
    }
}

/// The pseudo-terminal's master side: what the consultation writes goes to the SSH channel.
/// After the child is gone, reading the master fails with EIO: that is its end of output.
/// While the client cannot take more output, the terminal is not read (its reads are held), so
/// the child blocks writing instead of the server buffering without limit.
final class TerminalOutputHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private let session: NIOLoopBound<ConsultationHandler>
    private var context: ChannelHandlerContext?
    private var readHeld = false

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
        guard session.value.clientIsWritable else {
            readHeld = true
            return
        }
        context.read()
    }

    func clientWritabilityChanged(_ writable: Bool) {
        guard writable, readHeld, let context else { return }
        readHeld = false
        context.read()
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

/// `close(2)`, which a duplex handler's own `close` method hides.
private func closeDescriptor(_ descriptor: Int32) {
    close(descriptor)
}
