import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSH

/// One SSH session channel: reports what happens to its ``SessionStateMachine`` and performs what
/// the machine decides (replies, the child in a pseudo-terminal, bytes both ways, signals, timers,
/// the exit status). It decides nothing itself.
final class ConsultationHandler: ChannelDuplexHandler {
    typealias InboundIn = SSHChannelData
    typealias OutboundIn = SSHChannelData
    typealias OutboundOut = SSHChannelData

    private var machine: SessionStateMachine
    private let admission: Admission
    private let messages: ServerMessages
    private let remoteIP: String
    private let logger: Logger

    private var context: ChannelHandlerContext?
    private var loop: EventLoop?
    private var child: ChildInTerminal?
    /// A descriptor of the master kept for resizing (the terminal's channel owns its own).
    private var resizeDescriptor: Int32 = -1
    /// The terminal's channel, and its reader (told when the client can take output again).
    private var pipe: Channel?
    private var output: TerminalOutputHandler?
    private var timers: [SessionStateMachine.Timer: Scheduled<Void>] = [:]

    init(configuration: ServerConfiguration, admission: Admission, messages: ServerMessages, connection: ConnectionInfo)
    {
        machine = SessionStateMachine(settings: .init(configuration: configuration, connection: connection))
        self.admission = admission
        self.messages = messages
        remoteIP = connection.remoteIP
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

    // MARK: - Events in

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let request as SSHChannelRequestEvent.PseudoTerminalRequest:
            perform(
                machine.ptyRequested(
                    term: request.term, columns: request.terminalCharacterWidth, rows: request.terminalRowHeight,
                    modes: request.terminalModes, wantReply: request.wantReply))
        case let request as SSHChannelRequestEvent.EnvironmentRequest:
            perform(
                machine.environmentRequested(name: request.name, value: request.value, wantReply: request.wantReply))
        case let request as SSHChannelRequestEvent.ShellRequest:
            perform(machine.shellRequested(wantReply: request.wantReply))
        case let request as SSHChannelRequestEvent.ExecRequest:
            perform(machine.execRequested(command: request.command, wantReply: request.wantReply))
        case let request as SSHChannelRequestEvent.SubsystemRequest:
            perform(machine.subsystemRequested(name: request.subsystem, wantReply: request.wantReply))
        case let request as SSHChannelRequestEvent.WindowChangeRequest:
            perform(machine.windowChanged(columns: request.terminalCharacterWidth, rows: request.terminalRowHeight))
            logger.debug(
                "window changed", metadata: ["size": "\(request.terminalCharacterWidth)x\(request.terminalRowHeight)"])
        case ChannelEvent.inputClosed:
            perform(machine.endOfInputReceived())
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        guard case .channel = message.type, case .byteBuffer(let bytes) = message.data,
            machine.clientDataReceived(now: .now()), let pipe
        else { return }
        pipe.write(bytes, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        pipe?.flush()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if machine.clientReadRequested() { context.read() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if machine.clientWritabilityChanged(context.channel.isWritable) { output?.resumeReads() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.info("session channel error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(machine.channelClosed())
        context.fireChannelInactive()
    }

    // MARK: - Events from the terminal (its channel's handler)

    func terminalReadRequested() -> Bool {
        machine.terminalReadRequested()
    }

    /// Output of the consultation, to the client.
    func terminalOutput(_ bytes: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(bytes))), promise: nil)
    }

    func terminalWritabilityChanged(_ writable: Bool) {
        if machine.terminalWritabilityChanged(writable) { context?.read() }
    }

    func terminalClosed() {
        output = nil
        perform(machine.terminalClosed(now: .now()))
    }

    // MARK: - Actions out

    private func perform(_ actions: [SessionStateMachine.Action]) {
        for action in actions { perform(action) }
    }

    private func perform(_ action: SessionStateMachine.Action) {
        switch action {
        case .reply(let success):
            context?.triggerUserOutboundEvent(
                success ? ChannelSuccessEvent() as Any : ChannelFailureEvent() as Any, promise: nil)
        case .reservePlace:
            if let refusal = admission.reserveSession(from: remoteIP) {
                logger.notice("session refused", metadata: ["reason": "\(refusal.rawValue)"])
                perform(machine.placeRefused(refusal))
            } else {
                perform(machine.placeReserved())
            }
        case .spawn(let spawn):
            start(spawn)
        case .attachTerminal:
            attachTerminal()
        case .resizeTerminal(let columns, let rows):
            if resizeDescriptor >= 0 { ChildInTerminal.resize(master: resizeDescriptor, columns: columns, rows: rows) }
        case .sendEOFToTerminal:
            pipe?.writeAndFlush(ByteBuffer(bytes: [0x04]), promise: nil)
        case .closeTerminal:
            if resizeDescriptor >= 0 { closeDescriptor(resizeDescriptor) }
            resizeDescriptor = -1
            pipe?.close(promise: nil)
        case .signalChild(let signal):
            if let child { kill(child.pid, signal) }
        case .resumeClientReads:
            context?.read()
        case .resumeTerminalReads:
            output?.resumeReads()
        case .write(let message, let stream):
            let text = ByteBuffer(
                string: messages.text(message.key, message.arguments, environment: message.environment))
            let data = SSHChannelData(type: stream == .output ? .channel : .stdErr, data: .byteBuffer(text))
            context?.writeAndFlush(wrapOutboundOut(data), promise: nil)
        case .sendExitStatus(let status):
            context?.triggerUserOutboundEvent(SSHChannelRequestEvent.ExitStatus(exitStatus: status), promise: nil)
        case .closeChannel:
            context?.close(promise: nil)
        case .schedule(let timer, let delay):
            schedule(timer, in: delay)
        case .cancelTimers:
            timers.values.forEach { $0.cancel() }
            timers = [:]
        case .log(let entry):
            entry.write(to: logger)
        case .releasePlace:
            admission.sessionClosed()
        }
    }

    private func start(_ spawn: SessionStateMachine.Spawn) {
        guard let loop else { return }
        let child: ChildInTerminal
        do {
            child = try ChildInTerminal.spawn(
                arguments: spawn.arguments, environment: spawn.environment,
                columns: spawn.size.columns, rows: spawn.size.rows, modes: spawn.modes)
        } catch {
            admission.sessionStarted(pid: nil, address: remoteIP)
            logger.error("cannot start a consultation", metadata: ["error": "\(error)"])
            return perform(machine.childFailedToStart())
        }
        admission.sessionStarted(pid: child.pid, address: remoteIP)
        self.child = child
        resizeDescriptor = fcntl(child.master, F_DUPFD_CLOEXEC, 0)
        let bound = NIOLoopBound(self, eventLoop: loop)
        let admission = self.admission
        child.whenExited { status in
            admission.sessionEnded(pid: child.pid)
            loop.execute {
                let handler = bound.value
                handler.perform(
                    handler.machine.childExited(
                        status: status, serverShuttingDown: admission.isShuttingDown, now: .now()))
            }
        }
        perform(machine.childStarted(pid: child.pid, now: .now()))
    }

    private func attachTerminal() {
        guard let loop, let child else { return }
        let bound = NIOLoopBound(self, eventLoop: loop)
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
                    handler.perform(handler.machine.terminalAttached())
                case .failure(let error):
                    handler.logger.error("cannot attach the terminal", metadata: ["error": "\(error)"])
                    handler.perform(handler.machine.terminalFailedToAttach(now: .now()))
                }
            }
    }

    private func schedule(_ timer: SessionStateMachine.Timer, in delay: TimeAmount) {
        guard let loop else { return }
        let bound = NIOLoopBound(self, eventLoop: loop)
        timers[timer]?.cancel()
        timers[timer] = loop.scheduleTask(in: delay) {
            let handler = bound.value
            handler.timers[timer] = nil
            handler.perform(handler.machine.timerFired(timer, now: .now()))
        }
    }
}

/// `close(2)`, which a duplex handler's own `close` method hides.
private func closeDescriptor(_ descriptor: Int32) {
    close(descriptor)
}
