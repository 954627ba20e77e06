import ConsultEngine
import ConsultLocalization
import Foundation
import NIOCore
import NIOSSH

extension SessionStateMachine {
    /// What every session of one server shares.
    struct Settings: Equatable, Sendable {
        /// The child's command line.
        var arguments: [String]
        /// What the server sets in every child's environment (``ConsultationCommand/environment``).
        var environment: [String: String] = [:]
        /// SSH_CONNECTION for the child: "client-address client-port server-address server-port".
        var sshConnection: String
        /// How an applicant connects, for the server's messages: `ssh -p 2222 192.0.2.1`.
        var connectCommand: String
        /// Seconds a consultation may last (``ServerLimits/maximumSessionTime``).
        var maximumSessionTime: TimeInterval
        /// Silence after which the server hangs up should the child not have closed the
        /// consultation itself (it does at ``ServerLimits/idleTimeout``).
        var idleBackstop: TimeAmount
        /// How long a consultation asked to end (SIGHUP, SIGTERM) may take before it is killed.
        var killDelay: TimeAmount = .seconds(10)
        /// How long the child's last output may take to drain after it exited.
        var drainTime: TimeAmount = .seconds(2)
    }

    /// The pseudo-terminal the client asked for.
    struct Terminal: Equatable {
        var term: String
        var modes: SSHTerminalModes
    }

    struct Size: Equatable, Sendable {
        var columns: Int
        var rows: Int
    }

    /// How to start the consultation.
    struct Spawn: Equatable, Sendable {
        var arguments: [String]
        var environment: [String: String]
        var size: Size
        var modes: SSHTerminalModes
    }

    /// One of the server's own messages (the locale files' `ssh.*`), in the language the client's
    /// locale variables name.
    struct ServerMessage: Hashable, Sendable {
        var key: MessageKey
        var arguments: [String: Argument]
        var environment: [String: String]
    }

    /// Where a server message goes: the terminal's output, or the client's standard error.
    enum Stream: Equatable, Sendable {
        case output, standardError
    }

    enum Timer: Hashable, Sendable, CaseIterable {
        /// ``ServerLimits/maximumSessionTime`` from the child's start.
        case timeLimit
        /// The idle backstop, moved on by the client's input.
        case idle
        /// A consultation asked to end has not: SIGKILL.
        case kill
        /// The child exited and its terminal has not reported the end of its output.
        case drain
    }

    /// How a consultation ended, for the log.
    struct Ending: Equatable, Sendable {
        var pid: Int32
        var duration: TimeAmount
        var reason: String
        var status: Int

        /// The applicant was told; the office must be told too: a consultation without its records.
        var recordsFailed: Bool { status == SessionStateMachine.recordsFailedExitStatus }
    }

    /// What the log says about the session.
    enum LogEntry: Equatable, Sendable {
        case environment(name: String, taken: Bool)
        /// An exec or subsystem request, and what it asked for.
        case refused(kind: String, request: String)
        case started(pid: Int32, term: String, size: Size, language: String)
        /// The session ended before a consultation started.
        case declined(reason: String)
        case crashed(pid: Int32, signal: Int)
        case killing(pid: Int32)
        case ended(Ending)
    }

    /// What the channel handler does.
    enum Action: Equatable, Sendable {
        /// Answer the request just received (only ever when the client asked for an answer).
        case reply(success: Bool)
        /// Ask ``Admission`` for a place; answer with `placeReserved()` or `placeRefused(_:)`.
        case reservePlace
        /// Start the consultation in a new pseudo-terminal; answer with `childStarted(pid:now:)` or
        /// `childFailedToStart()`, and with `childExited(...)` when it ends.
        case spawn(Spawn)
        /// Copy bytes between the terminal and the client; answer with `terminalAttached()` or
        /// `terminalFailedToAttach(now:)`, and with `terminalClosed(now:)` when it closes.
        case attachTerminal
        case resizeTerminal(columns: Int, rows: Int)
        /// The terminal's EOF key (^D).
        case sendEOFToTerminal
        /// Close the terminal's master (the child, if still there, gets SIGHUP).
        case closeTerminal
        case signalChild(Int32)
        /// Read the client's bytes again: the terminal can take more, or they go nowhere now.
        case resumeClientReads
        /// Read the terminal again: the client can take more output.
        case resumeTerminalReads
        case write(ServerMessage, to: Stream)
        case sendExitStatus(Int)
        case closeChannel
        /// Start `timer`, replacing one of the same kind.
        case schedule(Timer, in: TimeAmount)
        case cancelTimers
        case log(LogEntry)
        /// Give the consultation's place back to ``Admission``: its child is gone and its client
        /// has been told.
        case releasePlace
    }
}

extension SessionStateMachine.Settings {
    init(configuration: ServerConfiguration, connection: ConnectionInfo) {
        let host = connection.localIP.contains(":") ? "[\(connection.localIP)]" : connection.localIP
        let limits = configuration.limits
        self.init(
            arguments: configuration.command.arguments(idleTimeout: limits.idleTimeout),
            sshConnection: connection.sshConnection,
            connectCommand: connection.localPort == 22 ? "ssh \(host)" : "ssh -p \(connection.localPort) \(host)",
            maximumSessionTime: limits.maximumSessionTime,
            idleBackstop: .milliseconds(Int64((limits.idleTimeout + 60) * 1000)))
        environment = configuration.command.environment
    }
}
