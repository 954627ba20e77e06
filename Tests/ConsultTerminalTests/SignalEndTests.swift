import ConsultRecords
import Testing

@testable import ConsultTerminal

#if canImport(Glibc)
    import Glibc
#endif

/// The one place a signal becomes an end reason.
@Suite struct SignalEndTests {
    @Test func aHangUpOrLostOutputDisconnectsAnyOtherSignalInterrupts() {
        #expect(EndReason(signal: SIGHUP) == .disconnected)
        #expect(EndReason(signal: SIGPIPE) == .disconnected)
        #expect(EndReason(signal: SIGTERM) == .interrupted)
        #expect(EndReason(signal: SIGINT) == .interrupted)
    }
}
