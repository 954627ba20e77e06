import ConsultEngine
import ConsultLocalization
import Foundation
import NIOCore
import NIOSSH
import Testing

@testable import ConsultSSH

/// A session machine fed one event at a time: `session { $0.shellRequested(wantReply: true) }`
/// is what that event makes the handler do.
final class Transcript {
    private var machine: SessionStateMachine

    init(settings: SessionStateMachine.Settings = SessionStateMachineTests.settings) {
        machine = SessionStateMachine(settings: settings)
    }

    func callAsFunction<Result>(_ event: (inout SessionStateMachine) -> Result) -> Result {
        event(&machine)
    }
}

/// The SSH session as a transcript: each event goes in, the exact actions come out. No socket,
/// no child, no clock: time is what the test says it is.
@Suite struct SessionStateMachineTests {
    typealias Machine = SessionStateMachine
    static let pid: Int32 = 4242
    static let connect = "ssh -p 2222 192.0.2.1"
    static let settings = Machine.Settings(
        arguments: ["/usr/local/bin/consult", "start", "--channel", "ssh"],
        sshConnection: "192.0.2.5 50122 192.0.2.1 2222",
        connectCommand: connect, maximumSessionTime: 3600, idleBackstop: .seconds(660))
    static let modes = SSHTerminalModes([53: 1])

    /// `seconds` after the child started.
    func at(_ seconds: Int64) -> NIODeadline {
        .uptimeNanoseconds(5_000_000_000) + .seconds(seconds)
    }

    func message(
        _ key: MessageKey, _ arguments: [String: Argument] = [:], _ environment: [String: String] = [:]
    ) -> Machine.ServerMessage {
        Machine.ServerMessage(key: key, arguments: arguments, environment: environment)
    }

    func ended(after seconds: Int64, _ reason: String, status: Int) -> Machine.Action {
        .log(.ended(Machine.Ending(pid: Self.pid, duration: .seconds(seconds), reason: reason, status: status)))
    }

    /// A consultation running since `at(0)`, its terminal attached.
    func running(environment: [String: String] = [:]) -> Transcript {
        let session = Transcript()
        _ = session { $0.ptyRequested(term: "xterm", columns: 80, rows: 24, modes: Self.modes, wantReply: true) }
        for (name, value) in environment {
            _ = session { $0.environmentRequested(name: name, value: value, wantReply: false) }
        }
        _ = session { $0.shellRequested(wantReply: true) }
        _ = session { $0.placeReserved() }
        _ = session { $0.childStarted(pid: Self.pid, now: at(0)) }
        _ = session { $0.terminalAttached() }
        return session
    }

    // MARK: - Requests

    @Test func ptyEnvAndShellStartTheConsultationWithTheClientsTerminal() {
        let session = Transcript()
        #expect(
            session {
                $0.ptyRequested(term: "xterm-256color", columns: 80, rows: 24, modes: Self.modes, wantReply: true)
            } == [.reply(success: true)])
        #expect(
            session { $0.environmentRequested(name: "LANG", value: "ru_RU.UTF-8", wantReply: true) }
                == [.log(.environment(name: "LANG", taken: true)), .reply(success: true)])
        // A resize before the shell is the size the consultation starts with.
        #expect(session { $0.windowChanged(columns: 120, rows: 40) } == [])
        #expect(session { $0.endOfInputReceived() } == [])
        #expect(!session { $0.clientDataReceived(now: at(0)) })
        #expect(session { $0.shellRequested(wantReply: true) } == [.reply(success: true), .reservePlace])
        let environment = [
            "LANG": "ru_RU.UTF-8", "PATH": "/usr/local/bin:/usr/bin:/bin", "TERM": "xterm-256color",
            "SSH_CONNECTION": "192.0.2.5 50122 192.0.2.1 2222",
        ]
        #expect(
            session { $0.placeReserved() } == [
                .spawn(
                    .init(
                        arguments: Self.settings.arguments, environment: environment,
                        size: .init(columns: 120, rows: 40), modes: Self.modes))
            ])
        #expect(
            session { $0.childStarted(pid: Self.pid, now: at(0)) } == [
                .log(
                    .started(
                        pid: Self.pid, term: "xterm-256color", size: .init(columns: 120, rows: 40),
                        language: "ru_RU.UTF-8")),
                .attachTerminal, .schedule(.timeLimit, in: .hours(1)), .schedule(.idle, in: .seconds(660)),
            ])
        // Until the terminal is attached the client's bytes and EOF have nowhere to go.
        #expect(!session { $0.clientDataReceived(now: at(0)) })
        #expect(session { $0.endOfInputReceived() } == [])
        #expect(session { $0.terminalAttached() } == [])
        #expect(session { $0.clientDataReceived(now: at(1)) })
    }

    @Test func aSecondPtyAndRequestsWithoutReplyGetNoAnswer() {
        let session = Transcript()
        #expect(
            session { $0.ptyRequested(term: "xterm", columns: 80, rows: 24, modes: Self.modes, wantReply: false) } == []
        )
        #expect(
            session { $0.ptyRequested(term: "vt100", columns: 80, rows: 24, modes: Self.modes, wantReply: true) } == [
                .reply(success: false)
            ])
        #expect(session { $0.shellRequested(wantReply: false) } == [.reservePlace])
        // The first terminal's type is the one the child gets.
        guard case .spawn(let spawn) = session({ $0.placeReserved() }).first else {
            Issue.record("no spawn")
            return
        }
        #expect(spawn.environment["TERM"] == "xterm")
    }

    @Test func onlyLocaleVariablesAreTakenAndAHostileTermIsReplaced() {
        let session = Transcript()
        #expect(
            session { $0.environmentRequested(name: "LD_PRELOAD", value: "/tmp/x.so", wantReply: true) }
                == [.log(.environment(name: "LD_PRELOAD", taken: false)), .reply(success: false)])
        #expect(
            session { $0.environmentRequested(name: "LANG", value: "C; rm -rf /", wantReply: false) }
                == [.log(.environment(name: "LANG", taken: false))])
        let long = String(repeating: "X", count: 100)
        #expect(
            session { $0.environmentRequested(name: long, value: "1", wantReply: false) }
                == [.log(.environment(name: String(long.prefix(64)), taken: false))])
        #expect(
            session { $0.environmentRequested(name: "LC_ALL", value: "es_ES.UTF-8", wantReply: false) }
                == [.log(.environment(name: "LC_ALL", taken: true))])
        _ = session {
            $0.ptyRequested(term: "../../etc/passwd", columns: 80, rows: 24, modes: Self.modes, wantReply: true)
        }
        _ = session { $0.shellRequested(wantReply: true) }
        guard case .spawn(let spawn) = session({ $0.placeReserved() }).first else {
            Issue.record("no spawn")
            return
        }
        #expect(
            spawn.environment == [
                "LC_ALL": "es_ES.UTF-8", "PATH": "/usr/local/bin:/usr/bin:/bin", "TERM": "xterm",
                "SSH_CONNECTION": "192.0.2.5 50122 192.0.2.1 2222",
            ])
    }

    @Test func aShellWithoutATerminalIsToldHowToConnect() {
        let session = Transcript()
        #expect(
            session { $0.shellRequested(wantReply: true) } == [
                .reply(success: true),
                .write(message("ssh.needs_terminal", ["command": .text(Self.connect)]), to: .standardError),
                .sendExitStatus(1), .closeChannel, .log(.declined(reason: "no terminal")),
            ])
        #expect(session { $0.channelClosed() } == [])  // no place was taken
    }

    @Test func execAndSubsystemsGetAMessageInTheClientsLanguageAndNoCommand() {
        let exec = Transcript()
        _ = exec { $0.environmentRequested(name: "LANG", value: "es_ES.UTF-8", wantReply: false) }
        #expect(
            exec { $0.execRequested(command: "cat /etc/passwd", wantReply: true) } == [
                .log(.refused(kind: "exec", request: "cat /etc/passwd")), .reply(success: true),
                .write(
                    message("ssh.no_commands", ["command": .text(Self.connect)], ["LANG": "es_ES.UTF-8"]),
                    to: .standardError),
                .sendExitStatus(1), .closeChannel,
            ])
        #expect(exec { $0.shellRequested(wantReply: true) } == [.reply(success: false)])
        #expect(exec { $0.channelClosed() } == [])

        let subsystem = Transcript()
        _ = subsystem { $0.ptyRequested(term: "xterm", columns: 80, rows: 24, modes: Self.modes, wantReply: true) }
        #expect(
            subsystem { $0.subsystemRequested(name: "sftp", wantReply: false) } == [
                .log(.refused(kind: "subsystem", request: "sftp")),
                .write(message("ssh.no_commands", ["command": .text(Self.connect)]), to: .standardError),
                .sendExitStatus(1), .closeChannel,
            ])
        #expect(
            subsystem { $0.execRequested(command: "ls", wantReply: true) } == [
                .log(.refused(kind: "exec", request: "ls")), .reply(success: false),
            ])
    }

    @Test func requestsOnceTheConsultationRunsAreRefusedAndChangeNothing() {
        let session = running()
        #expect(session { $0.shellRequested(wantReply: true) } == [.reply(success: false)])
        #expect(session { $0.shellRequested(wantReply: false) } == [])
        #expect(
            session { $0.ptyRequested(term: "vt100", columns: 10, rows: 10, modes: Self.modes, wantReply: true) } == [
                .reply(success: false)
            ])
        #expect(
            session { $0.environmentRequested(name: "LANG", value: "C.UTF-8", wantReply: true) }
                == [.log(.environment(name: "LANG", taken: false)), .reply(success: false)])
        let long = String(repeating: "x", count: 200)
        #expect(
            session { $0.execRequested(command: long, wantReply: true) }
                == [.log(.refused(kind: "exec", request: String(long.prefix(80)))), .reply(success: false)])
        #expect(
            session { $0.subsystemRequested(name: "sftp", wantReply: true) } == [
                .log(.refused(kind: "subsystem", request: "sftp")), .reply(success: false),
            ])
        #expect(session { $0.clientDataReceived(now: at(2)) })
        #expect(session { $0.endOfInputReceived() } == [.sendEOFToTerminal])
    }

    @Test func windowChangesResizeTheRunningTerminalOnly() {
        let session = running()
        #expect(session { $0.windowChanged(columns: 140, rows: 40) } == [.resizeTerminal(columns: 140, rows: 40)])
        _ = session { $0.channelClosed() }  // hung up
        #expect(session { $0.windowChanged(columns: 100, rows: 30) } == [])
    }

    @Test func requestsAfterTheChannelClosedGetNothing() {
        let session = Transcript()
        #expect(session { $0.channelClosed() } == [])
        #expect(
            session { $0.ptyRequested(term: "xterm", columns: 80, rows: 24, modes: Self.modes, wantReply: true) } == [])
        #expect(session { $0.environmentRequested(name: "LANG", value: "C.UTF-8", wantReply: true) } == [])
        #expect(session { $0.shellRequested(wantReply: true) } == [])
        #expect(session { $0.execRequested(command: "id", wantReply: true) } == [])
        #expect(session { $0.subsystemRequested(name: "sftp", wantReply: true) } == [])
        #expect(session { $0.windowChanged(columns: 100, rows: 30) } == [])
        #expect(session { $0.endOfInputReceived() } == [])
        #expect(session { $0.channelClosed() } == [])
    }
}
