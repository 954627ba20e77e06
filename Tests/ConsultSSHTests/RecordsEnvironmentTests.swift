import ConsultTestSupport
import Foundation
import Logging
import Testing

@testable import ConsultSSH

/// What consult-sshd gives its consultations about the record store (issue 12): the store, the
/// office and the retention period in each child's environment, over anything a client sent, and
/// the spool forwarded by a `consult records sync` child with the same environment.
@Suite struct RecordsEnvironmentTests {
    static let records = [
        "CONSULT_STORE": "postgresql://consult:secret@db.office.lan/consult", "CONSULT_OFFICE": "Arbat",
    ]

    @Test func theServersStoreAndOfficeReachEveryChildAndNotItsCommandLine() {
        let command = ConsultationCommand(
            executable: "/usr/local/bin/consult", dataDirectory: "/var/lib/consult", environment: Self.records)
        var settings = SessionStateMachineTests.settings
        settings.arguments = command.arguments(idleTimeout: 600)
        settings.environment = command.environment
        let session = Transcript(settings: settings)
        _ = session {
            $0.ptyRequested(
                term: "xterm", columns: 80, rows: 24, modes: SessionStateMachineTests.modes, wantReply: true)
        }
        // A client cannot choose the store (only locale variables are taken anyway).
        _ = session { $0.environmentRequested(name: "CONSULT_STORE", value: "sqlite:/tmp/mine", wantReply: false) }
        _ = session { $0.shellRequested(wantReply: true) }
        guard case .spawn(let spawn) = session({ $0.placeReserved() }).first else {
            Issue.record("no spawn")
            return
        }
        #expect(spawn.environment["CONSULT_STORE"] == Self.records["CONSULT_STORE"])
        #expect(spawn.environment["CONSULT_OFFICE"] == "Arbat")
        #expect(!spawn.arguments.joined(separator: " ").contains("secret"), "\(spawn.arguments)")
    }

    @Test func aSyncPassRunsRecordsSyncWithTheChildrensEnvironment() throws {
        let folder = try temporaryDirectory("consult-sshd-sync")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = folder.appendingPathComponent("consult")
        try "#!/bin/sh\necho \"$@\"\necho \"store=$CONSULT_STORE office=$CONSULT_OFFICE\"\nexit 3\n".write(
            to: fake, atomically: true, encoding: .utf8)
        chmod(fake.path, 0o755)
        let command = ConsultationCommand(
            executable: fake.path, dataDirectory: "/var/lib/consult", environment: Self.records)
        let sync = RecordsSync(command: command, interval: 300, logger: Logger(label: "test"))
        let result = try #require(sync.runOnce())
        #expect(result.status == 3)
        #expect(
            result.report
                == "records sync --data-dir /var/lib/consult\nstore=\(Self.records["CONSULT_STORE"]!) office=Arbat")
    }
}
