import ConsultEngine
import ConsultLocalization
import Foundation
import NIOCore
import NIOSSH

/// One SSH session channel, as decisions without I/O (postgres-nio's `ConnectionStateMachine` is
/// the model): the channel handler reports what happened (a request, the child's start or exit, the
/// terminal closing, a timer) and performs the actions it gets back. Before the shell, pty-req, env
/// and window-change shape the consultation; exec and subsystems get a message and no command;
/// the shell reserves a place and starts `consult` in a pseudo-terminal. The client's status is sent
/// once the child has exited and its last output is out; a client that goes hangs the terminal up.
/// Back-pressure both ways is in `SessionStateMachine+Flow.swift`.
struct SessionStateMachine {
    private enum State {
        /// Before the shell: the requests that shape the consultation.
        case requesting
        /// The shell was accepted: a place, then the child, are being arranged.
        case starting
        case running(Running)
        /// Nothing more happens for the client: declined, refused, or the consultation is over.
        case ended
    }

    /// A consultation from its child's start to its end.
    private struct Running {
        let pid: Int32
        let started: NIODeadline
        var lastInput: NIODeadline
        /// The terminal's channel exists: the client's bytes can go to the child.
        var attached = false
        /// The terminal's channel closed: the child's output is all sent, or the terminal hung up.
        var terminalClosed = false
        var hungUp = false
        var killScheduled = false
        var exitStatus: Int?
        var reason: String?
        /// The server ended the consultation (the time limit): the client must not read success.
        var endedByServer = false
        /// Shown after the child's last output.
        var closingMessage: ServerMessage?

        var exited: Bool { exitStatus != nil }
    }

    let settings: Settings
    private var state = State.requesting
    private var terminal: Terminal?
    private var size = Size(columns: 80, rows: 24)
    /// The client's locale variables: for the child, and the language of the server's messages.
    private var environment: [String: String] = [:]
    private(set) var clientConnected = true
    /// A place was reserved for this session's consultation and is not given back yet.
    private var holdsPlace = false
    var flow = Flow()

    init(settings: Settings) {
        self.settings = settings
    }

    /// The client's bytes can go to the terminal.
    var isTerminalOpen: Bool {
        guard case .running(let running) = state else { return false }
        return running.attached && !running.terminalClosed && !running.hungUp
    }

    // MARK: - Requests

    mutating func ptyRequested(
        term: String, columns: Int, rows: Int, modes: SSHTerminalModes, wantReply: Bool
    ) -> [Action] {
        guard clientConnected else { return [] }
        guard case .requesting = state, terminal == nil else { return Self.reply(wantReply, false) }
        terminal = Terminal(term: term, modes: modes)
        size = Size(columns: columns, rows: rows)
        return Self.reply(wantReply, true)
    }

    mutating func environmentRequested(name: String, value: String, wantReply: Bool) -> [Action] {
        guard clientConnected else { return [] }
        var taken = false
        if case .requesting = state, Self.isLocaleVariable(name, value) {
            environment[name] = value
            taken = true
        }
        return [.log(.environment(name: String(name.prefix(64)), taken: taken))] + Self.reply(wantReply, taken)
    }

    mutating func shellRequested(wantReply: Bool) -> [Action] {
        guard clientConnected else { return [] }
        guard case .requesting = state else { return Self.reply(wantReply, false) }
        let accepted = Self.reply(wantReply, true)
        guard terminal != nil else {
            return accepted
                + decline(
                    message("ssh.needs_terminal", ["command": .text(settings.connectCommand)]), reason: "no terminal")
        }
        state = .starting
        return accepted + [.reservePlace]
    }

    /// `exec`: no commands here, and the client is told so.
    mutating func execRequested(command: String, wantReply: Bool) -> [Action] {
        refuse(.log(.refused(kind: "exec", request: String(command.prefix(80)))), wantReply: wantReply)
    }

    /// Subsystems (sftp): no file transfer here, and the client is told so.
    mutating func subsystemRequested(name: String, wantReply: Bool) -> [Action] {
        refuse(.log(.refused(kind: "subsystem", request: String(name.prefix(80)))), wantReply: wantReply)
    }

    private mutating func refuse(_ log: Action, wantReply: Bool) -> [Action] {
        guard clientConnected else { return [] }
        guard case .requesting = state else { return [log] + Self.reply(wantReply, false) }
        state = .ended
        // Accepted only to be answered: with a failure reply OpenSSH prints its own generic line
        // and drops ours. Nothing is run; the client gets the message and exit status 1.
        return [log] + Self.reply(wantReply, true) + [
            .write(message("ssh.no_commands", ["command": .text(settings.connectCommand)]), to: .standardError),
            .sendExitStatus(1), .closeChannel,
        ]
    }

    mutating func windowChanged(columns: Int, rows: Int) -> [Action] {
        size = Size(columns: columns, rows: rows)
        guard case .running(let running) = state, !running.hungUp else { return [] }
        return [.resizeTerminal(columns: columns, rows: rows)]
    }

    /// The client's EOF: a pseudo-terminal has no half-close, so it is the terminal's EOF key.
    mutating func endOfInputReceived() -> [Action] {
        isTerminalOpen ? [.sendEOFToTerminal] : []
    }

    /// The client's bytes: true when they go to the terminal, false when they are dropped.
    mutating func clientDataReceived(now: NIODeadline) -> Bool {
        guard isTerminalOpen, case .running(var running) = state else { return false }
        running.lastInput = now
        state = .running(running)
        return true
    }

    // MARK: - Starting the consultation

    mutating func placeReserved() -> [Action] {
        guard case .starting = state, let terminal else { return [] }
        holdsPlace = true
        var childEnvironment = environment
        childEnvironment["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        childEnvironment["TERM"] = Self.sanitizedTerm(terminal.term)
        childEnvironment["SSH_CONNECTION"] = settings.sshConnection
        childEnvironment.merge(settings.environment) { _, server in server }
        return [
            .spawn(
                Spawn(arguments: settings.arguments, environment: childEnvironment, size: size, modes: terminal.modes))
        ]
    }

    mutating func placeRefused(_ refusal: Admission.Refusal) -> [Action] {
        guard case .starting = state else { return [] }
        return decline(message("ssh.busy"), reason: refusal.rawValue)
    }

    mutating func childFailedToStart() -> [Action] {
        guard case .starting = state else { return [] }
        return decline(message("ssh.unavailable"), reason: "start failed") + releaseIfOver()
    }

    mutating func childStarted(pid: Int32, now: NIODeadline) -> [Action] {
        guard case .starting = state else { return [] }
        state = .running(Running(pid: pid, started: now, lastInput: now))
        let language = environment["LC_ALL"] ?? environment["LANG"] ?? "-"
        return [
            .log(.started(pid: pid, term: Self.sanitizedTerm(terminal?.term ?? ""), size: size, language: language)),
            .attachTerminal,
            .schedule(.timeLimit, in: .milliseconds(Int64(settings.maximumSessionTime * 1000))),
            .schedule(.idle, in: settings.idleBackstop),
        ]
    }

    mutating func terminalAttached() -> [Action] {
        guard case .running(var running) = state else { return [] }
        running.attached = true
        state = .running(running)
        if running.hungUp && !running.terminalClosed { return [.closeTerminal] }
        // The client left while the terminal was being attached.
        if !clientConnected { return hangUp(reason: "client disconnected") }
        return []
    }

    mutating func terminalFailedToAttach(now: NIODeadline) -> [Action] {
        guard case .running(var running) = state else { return [] }
        running.terminalClosed = true
        state = .running(running)
        return hangUp(reason: "start failed") + finishIfDone(now: now)
    }

    // MARK: - Ending

    /// The terminal's channel closed: after the child exited, reading the master fails (EIO), and
    /// that is the end of its output; or the terminal was hung up.
    mutating func terminalClosed(now: NIODeadline) -> [Action] {
        guard case .running(var running) = state, !running.terminalClosed else { return [] }
        running.terminalClosed = true
        state = .running(running)
        // Nothing holds the client's bytes back any more (they are dropped from now on).
        return releaseClientReads() + finishIfDone(now: now)
    }

    mutating func childExited(status: Int, serverShuttingDown: Bool, now: NIODeadline) -> [Action] {
        guard case .running(var running) = state, !running.exited else { return [] }
        var actions: [Action] = []
        var status = status
        if serverShuttingDown && running.reason == nil { running.reason = "server shutdown" }
        // The consultation closed its transcript ("interrupted") and exited normally, but the
        // applicant's session did not end normally: the client must not read success.
        if (serverShuttingDown || running.endedByServer) && status == 0 { status = Self.shutdownExitStatus }
        if status > 128 && running.reason == nil {
            running.reason = "consultation ended by signal \(status - 128)"
            actions.append(.log(.crashed(pid: running.pid, signal: status - 128)))
        }
        running.exitStatus = status
        state = .running(running)
        // The rest of the output is read until the terminal reports EIO; not for ever.
        if !running.terminalClosed { actions.append(.schedule(.drain, in: settings.drainTime)) }
        return actions + finishIfDone(now: now)
    }

    /// The session channel is gone (the client closed it, or the connection broke).
    mutating func channelClosed() -> [Action] {
        guard clientConnected else { return [] }
        clientConnected = false
        // Output has nowhere to go now: the terminal is read (and drained) without waiting.
        let released = releaseTerminalReads()
        switch state {
        case .requesting, .starting:
            state = .ended
            return released + releaseIfOver()
        case .running(let running):
            return released + (running.exited ? [] : hangUp(reason: "client disconnected"))
        case .ended:
            return released + releaseIfOver()
        }
    }

    mutating func timerFired(_ timer: Timer, now: NIODeadline) -> [Action] {
        guard case .running(var running) = state else { return [] }
        switch timer {
        case .drain:
            // The child exited; its terminal has not reported the end of its output in time.
            return running.exited && !running.terminalClosed ? [.closeTerminal] : []
        case .timeLimit where !running.exited:
            running.reason = "time limit"
            running.endedByServer = true
            running.closingMessage = message(
                "ssh.time_limit", ["minutes": .number(Int((settings.maximumSessionTime / 60).rounded()))])
            state = .running(running)
            // SIGTERM: the consultation closes its transcript ("interrupted") and exits.
            return [.signalChild(SIGTERM)] + scheduleKill()
        case .idle where !running.exited && !running.hungUp:
            // The child closes an idle consultation itself; this is the backstop should it not.
            let silent = now - running.lastInput
            guard silent >= settings.idleBackstop else { return [.schedule(.idle, in: settings.idleBackstop - silent)] }
            return hangUp(reason: "idle")
        case .kill where !running.exited:
            return [.log(.killing(pid: running.pid)), .signalChild(SIGKILL)]
        case .timeLimit, .idle, .kill:
            return []
        }
    }

    /// The client went, or a limit was reached: the terminal closes so that the child gets SIGHUP
    /// and its transcript ends "disconnected"; it is killed if it does not go.
    private mutating func hangUp(reason: String) -> [Action] {
        guard case .running(var running) = state else { return [] }
        if running.reason == nil { running.reason = reason }
        guard !running.exited, !running.hungUp else {
            state = .running(running)
            return []
        }
        running.hungUp = true
        state = .running(running)
        return [.closeTerminal, .signalChild(SIGHUP)] + scheduleKill()
    }

    private mutating func scheduleKill() -> [Action] {
        guard case .running(var running) = state, !running.killScheduled else { return [] }
        running.killScheduled = true
        state = .running(running)
        return [.schedule(.kill, in: settings.killDelay)]
    }

    /// Once the child has exited and its last output is sent: the server's closing message if any,
    /// the exit status, and the channel closes.
    private mutating func finishIfDone(now: NIODeadline) -> [Action] {
        guard case .running(let running) = state, let status = running.exitStatus, running.terminalClosed else {
            return []
        }
        state = .ended
        flow.clientReadHeld = false
        flow.terminalReadHeld = false
        let ending = Ending(
            pid: running.pid, duration: now - running.started, reason: running.reason ?? "exited", status: status)
        var actions: [Action] = [.cancelTimers, .closeTerminal, .log(.ended(ending))]
        if clientConnected {
            if let closing = running.closingMessage { actions.append(.write(closing, to: .output)) }
            actions += [.sendExitStatus(status), .closeChannel]
        }
        return actions + releaseIfOver()
    }

    /// The place is given back once the client is gone and nothing runs for it any more.
    private mutating func releaseIfOver() -> [Action] {
        guard holdsPlace, !clientConnected, case .ended = state else { return [] }
        holdsPlace = false
        return [.releasePlace]
    }

    /// Ends the session before a consultation started: a message, exit status 1, close.
    private mutating func decline(_ message: ServerMessage, reason: String) -> [Action] {
        state = .ended
        return [
            .write(message, to: .standardError), .sendExitStatus(1), .closeChannel, .log(.declined(reason: reason)),
        ]
    }

    private func message(_ key: MessageKey, _ arguments: [String: Argument] = [:]) -> ServerMessage {
        ServerMessage(key: key, arguments: arguments, environment: environment)
    }

    private static func reply(_ wantReply: Bool, _ success: Bool) -> [Action] {
        wantReply ? [.reply(success: success)] : []
    }
}

// MARK: - Rules

extension SessionStateMachine {
    /// What the client gets after the server ended its consultation (a shutdown, the session time
    /// limit) and it closed normally: a shell's status for a command ended by SIGTERM, so that
    /// scripts and people see it did not finish.
    static let shutdownExitStatus = 128 + Int(SIGTERM)
    /// `consult`'s exit status when the records of its consultation could not be written.
    static let recordsFailedExitStatus = 4

    /// Only the locale's variables, with values that look like locale names.
    static func isLocaleVariable(_ name: String, _ value: String) -> Bool {
        let nameAllowed =
            name == "LANG" || name == "LANGUAGE"
            || (name.hasPrefix("LC_") && name.count <= 20
                && name.dropFirst(3).allSatisfy { $0.isASCII && ($0.isUppercase || $0 == "_") })
        let valueAllowed =
            value.count <= 100
            && value.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._@:-".unicodeScalars.contains($0))
            }
        return nameAllowed && valueAllowed
    }

    static func sanitizedTerm(_ term: String) -> String {
        let allowed =
            !term.isEmpty && term.count <= 64
            && term.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._+-".unicodeScalars.contains($0))
            }
        return allowed ? term : "xterm"
    }
}
