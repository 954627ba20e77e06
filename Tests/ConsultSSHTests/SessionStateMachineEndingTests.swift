import Foundation
import NIOCore
import Testing

@testable import ConsultSSH

/// How a session ends, as transcripts: the child's exit, the limits, the client leaving, a
/// shutdown, and the back-pressure that keeps a paste from drowning either side.
extension SessionStateMachineTests {
    @Test func aConsultationThatEndsSendsItsStatusOnceItsOutputIsOut() {
        let session = running()
        #expect(
            session { $0.childExited(status: 0, serverShuttingDown: false, now: at(30)) } == [
                .schedule(.drain, in: .seconds(2))
            ])
        // The client's bytes go nowhere once the child is gone, but its last output is still read.
        #expect(
            session { $0.terminalClosed(now: at(31)) } == [
                .cancelTimers, .closeTerminal, ended(after: 31, "exited", status: 0), .sendExitStatus(0), .closeChannel,
            ])
        #expect(session { $0.channelClosed() } == [.releasePlace])
        #expect(session { $0.timerFired(.drain, now: at(32)) } == [])
        #expect(session { $0.timerFired(.timeLimit, now: at(3600)) } == [])
        #expect(session { $0.channelClosed() } == [])
    }

    @Test func theTerminalMayCloseBeforeTheChildIsReaped() {
        let session = running()
        #expect(session { $0.terminalClosed(now: at(10)) } == [])
        #expect(!session { $0.clientDataReceived(now: at(10)) })
        #expect(session { $0.endOfInputReceived() } == [])
        #expect(
            session { $0.childExited(status: 0, serverShuttingDown: false, now: at(11)) } == [
                .cancelTimers, .closeTerminal, ended(after: 11, "exited", status: 0), .sendExitStatus(0), .closeChannel,
            ])
    }

    @Test func outputThatNeverEndsIsCutAfterTheDrainTime() {
        let session = running()
        #expect(session { $0.timerFired(.drain, now: at(1)) } == [])  // only after the exit
        _ = session { $0.childExited(status: 0, serverShuttingDown: false, now: at(30)) }
        #expect(session { $0.timerFired(.drain, now: at(32)) } == [.closeTerminal])
        #expect(
            session { $0.terminalClosed(now: at(32)) } == [
                .cancelTimers, .closeTerminal, ended(after: 32, "exited", status: 0), .sendExitStatus(0), .closeChannel,
            ])
    }

    @Test func aChildEndedBySignalIsLoggedAsACrashAndItsStatusPassedOn() {
        let session = running()
        #expect(
            session { $0.childExited(status: 128 + 9, serverShuttingDown: false, now: at(5)) }
                == [.log(.crashed(pid: Self.pid, signal: 9)), .schedule(.drain, in: .seconds(2))])
        #expect(
            session { $0.terminalClosed(now: at(5)) } == [
                .cancelTimers, .closeTerminal, ended(after: 5, "consultation ended by signal 9", status: 137),
                .sendExitStatus(137), .closeChannel,
            ])
    }

    @Test func recordsThatCouldNotBeWrittenAreNamedInTheEnding() {
        let session = running()
        _ = session { $0.terminalClosed(now: at(3)) }
        let actions = session { $0.childExited(status: 4, serverShuttingDown: false, now: at(3)) }
        #expect(
            actions == [
                .cancelTimers, .closeTerminal, ended(after: 3, "exited", status: 4), .sendExitStatus(4), .closeChannel,
            ])
        #expect(Machine.Ending(pid: 1, duration: .zero, reason: "exited", status: 4).recordsFailed)
        #expect(!Machine.Ending(pid: 1, duration: .zero, reason: "exited", status: 0).recordsFailed)
    }

    // MARK: - Limits

    @Test func theTimeLimitEndsTheConsultationWithAMessageAndStatus143() {
        let session = running(environment: ["LANG": "ru_RU.UTF-8"])
        #expect(
            session { $0.timerFired(.timeLimit, now: at(3600)) } == [
                .signalChild(SIGTERM), .schedule(.kill, in: .seconds(10)),
            ])
        #expect(
            session { $0.childExited(status: 0, serverShuttingDown: false, now: at(3601)) } == [
                .schedule(.drain, in: .seconds(2))
            ])
        #expect(
            session { $0.terminalClosed(now: at(3601)) } == [
                .cancelTimers, .closeTerminal, ended(after: 3601, "time limit", status: 143),
                .write(message("ssh.time_limit", ["minutes": .number(60)], ["LANG": "ru_RU.UTF-8"]), to: .output),
                .sendExitStatus(143), .closeChannel,
            ])
    }

    @Test func aConsultationThatDoesNotEndWhenAskedIsKilled() {
        let session = running()
        _ = session { $0.timerFired(.timeLimit, now: at(3600)) }
        #expect(
            session { $0.timerFired(.kill, now: at(3610)) } == [.log(.killing(pid: Self.pid)), .signalChild(SIGKILL)])
        // The client leaving now hangs up the terminal; the kill is not scheduled a second time.
        #expect(session { $0.channelClosed() } == [.closeTerminal, .signalChild(SIGHUP)])
        _ = session { $0.terminalClosed(now: at(3610)) }
        #expect(
            session { $0.childExited(status: 128 + 9, serverShuttingDown: false, now: at(3611)) }
                == [.cancelTimers, .closeTerminal, ended(after: 3611, "time limit", status: 137), .releasePlace])
    }

    @Test func theIdleBackstopMovesWithInputAndThenHangsUp() {
        let session = running()
        #expect(session { $0.clientDataReceived(now: at(100)) })
        #expect(session { $0.timerFired(.idle, now: at(660)) } == [.schedule(.idle, in: .seconds(100))])
        #expect(
            session { $0.timerFired(.idle, now: at(760)) } == [
                .closeTerminal, .signalChild(SIGHUP), .schedule(.kill, in: .seconds(10)),
            ])
        #expect(!session { $0.clientDataReceived(now: at(761)) })
        #expect(session { $0.windowChanged(columns: 100, rows: 30) } == [])
        #expect(session { $0.timerFired(.idle, now: at(2000)) } == [])
        _ = session { $0.terminalClosed(now: at(760)) }
        #expect(
            session { $0.childExited(status: 0, serverShuttingDown: false, now: at(761)) } == [
                .cancelTimers, .closeTerminal, ended(after: 761, "idle", status: 0), .sendExitStatus(0), .closeChannel,
            ])
    }

    // MARK: - The client leaving

    @Test func aClientThatLeavesHangsUpTheTerminalAndGetsNoStatus() {
        let session = running()
        #expect(
            session { $0.channelClosed() } == [
                .closeTerminal, .signalChild(SIGHUP), .schedule(.kill, in: .seconds(10)),
            ])
        #expect(!session { $0.clientDataReceived(now: at(20)) })
        #expect(session { $0.terminalClosed(now: at(20)) } == [])
        #expect(
            session { $0.childExited(status: 128 + 1, serverShuttingDown: false, now: at(20)) }
                == [.cancelTimers, .closeTerminal, ended(after: 20, "client disconnected", status: 129), .releasePlace])
    }

    @Test func aClientThatLeavesWhileTheTerminalIsAttachedHangsItUpOnceItIs() {
        let session = Transcript()
        _ = session { $0.ptyRequested(term: "xterm", columns: 80, rows: 24, modes: Self.modes, wantReply: true) }
        _ = session { $0.shellRequested(wantReply: true) }
        _ = session { $0.placeReserved() }
        _ = session { $0.childStarted(pid: Self.pid, now: at(0)) }
        #expect(
            session { $0.channelClosed() } == [
                .closeTerminal, .signalChild(SIGHUP), .schedule(.kill, in: .seconds(10)),
            ])
        #expect(session { $0.terminalAttached() } == [.closeTerminal])
        #expect(session { $0.endOfInputReceived() } == [])
    }

    @Test func aTerminalThatCannotBeAttachedEndsTheConsultation() {
        let session = Transcript()
        _ = session { $0.ptyRequested(term: "xterm", columns: 80, rows: 24, modes: Self.modes, wantReply: true) }
        _ = session { $0.shellRequested(wantReply: true) }
        _ = session { $0.placeReserved() }
        _ = session { $0.childStarted(pid: Self.pid, now: at(0)) }
        #expect(
            session { $0.terminalFailedToAttach(now: at(0)) } == [
                .closeTerminal, .signalChild(SIGHUP), .schedule(.kill, in: .seconds(10)),
            ])
        #expect(
            session { $0.childExited(status: 129, serverShuttingDown: false, now: at(1)) } == [
                .cancelTimers, .closeTerminal, ended(after: 1, "start failed", status: 129), .sendExitStatus(129),
                .closeChannel,
            ])
    }

    // MARK: - Places, refusals, shutdown

    @Test func noPlaceOrAShutdownBeforeTheShellIsToldToTryLater() {
        for refusal in [Admission.Refusal.shuttingDown, .sessions, .sessionsFromAddress] {
            let session = Transcript()
            _ = session { $0.ptyRequested(term: "xterm", columns: 80, rows: 24, modes: Self.modes, wantReply: true) }
            _ = session { $0.environmentRequested(name: "LANG", value: "es_ES.UTF-8", wantReply: true) }
            #expect(session { $0.shellRequested(wantReply: true) } == [.reply(success: true), .reservePlace])
            #expect(
                session { $0.placeRefused(refusal) } == [
                    .write(message("ssh.busy", [:], ["LANG": "es_ES.UTF-8"]), to: .standardError), .sendExitStatus(1),
                    .closeChannel,
                    .log(.declined(reason: refusal.rawValue)),
                ])
            #expect(session { $0.channelClosed() } == [])  // the place was never taken
        }
    }

    @Test func aChildThatCannotStartGivesItsPlaceBackWhenTheChannelCloses() {
        let session = Transcript()
        _ = session { $0.ptyRequested(term: "xterm", columns: 80, rows: 24, modes: Self.modes, wantReply: true) }
        _ = session { $0.shellRequested(wantReply: true) }
        _ = session { $0.placeReserved() }
        #expect(
            session { $0.childFailedToStart() } == [
                .write(message("ssh.unavailable"), to: .standardError), .sendExitStatus(1), .closeChannel,
                .log(.declined(reason: "start failed")),
            ])
        #expect(session { $0.channelClosed() } == [.releasePlace])
    }

    @Test func aShutdownAfterTheShellStartedGivesStatus143() {
        let session = running()
        #expect(
            session { $0.childExited(status: 0, serverShuttingDown: true, now: at(5)) } == [
                .schedule(.drain, in: .seconds(2))
            ])
        #expect(
            session { $0.terminalClosed(now: at(5)) } == [
                .cancelTimers, .closeTerminal, ended(after: 5, "server shutdown", status: 143), .sendExitStatus(143),
                .closeChannel,
            ])
        // Killed after the grace time: its status is passed on, and it is no crash.
        let killed = running()
        _ = killed { $0.terminalClosed(now: at(10)) }
        #expect(
            killed { $0.childExited(status: 137, serverShuttingDown: true, now: at(15)) } == [
                .cancelTimers, .closeTerminal, ended(after: 15, "server shutdown", status: 137), .sendExitStatus(137),
                .closeChannel,
            ])
    }

    // MARK: - Back-pressure

    @Test func aPasteIsHeldInTheClientsWindowWhileTheTerminalIsFull() {
        let session = running()
        #expect(session { $0.clientReadRequested() })
        #expect(!session { $0.terminalWritabilityChanged(false) })
        #expect(!session { $0.clientReadRequested() })
        #expect(!session { $0.clientReadRequested() })
        #expect(session { $0.terminalWritabilityChanged(true) })
        #expect(!session { $0.terminalWritabilityChanged(true) })  // released once
        #expect(session { $0.clientReadRequested() })
        // A read still held when the terminal closes is released: nothing holds it any more.
        _ = session { $0.terminalWritabilityChanged(false) }
        #expect(!session { $0.clientReadRequested() })
        _ = session { $0.childExited(status: 0, serverShuttingDown: false, now: at(5)) }
        #expect(
            session { $0.terminalClosed(now: at(5)) } == [
                .resumeClientReads, .cancelTimers, .closeTerminal, ended(after: 5, "exited", status: 0),
                .sendExitStatus(0), .closeChannel,
            ])
        #expect(session { $0.clientReadRequested() })
    }

    @Test func theTerminalIsNotReadWhileTheClientCannotTakeMore() {
        let session = running()
        #expect(session { $0.terminalReadRequested() })
        #expect(!session { $0.clientWritabilityChanged(false) })
        #expect(!session { $0.terminalReadRequested() })
        #expect(session { $0.clientWritabilityChanged(true) })
        #expect(session { $0.terminalReadRequested() })
        // A client that leaves while a read is held: the terminal is read (drained) at once.
        _ = session { $0.clientWritabilityChanged(false) }
        #expect(!session { $0.terminalReadRequested() })
        #expect(
            session { $0.channelClosed() } == [
                .resumeTerminalReads, .closeTerminal, .signalChild(SIGHUP), .schedule(.kill, in: .seconds(10)),
            ])
        #expect(session { $0.terminalReadRequested() })
    }
}
