import ConsultRecords
import ConsultSealing
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultStore

/// Sealed records (issue 13) in the record store (issue 12): the store keeps the sealed lines as
/// written and says of them only what is in the clear.
@Suite struct SealedStoreTests {
    @Test(
        "a sealed consultation leaves no trace of the applicant in the store; verify needs no key, a lawyer's identity opens it",
        arguments: StoreKind.allCases)
    func sealedConsultationInTheStore(kind: StoreKind) throws {
        let place = try Place(kind)
        defer { place.remove() }
        let lawyer = Identity()
        let recipients = place.directory.url.appendingPathComponent("recipients")
        try Data("\(lawyer.recipient.string)\n".utf8).write(to: recipients)
        let name = "Quillfeather"
        let run = try consult(
            [
                "--today", "2026-11-25", "--data-dir", place.directory.url.path, "--store", place.url,
                "--recipients", recipients.path, "--office", "Tverskaya",
            ],
            input: consultationScript(name: name).joined(separator: "\n") + "\n")
        #expect(run.status == 0, "\(run.stderr)")

        let store = try place.open()
        defer { store.close() }
        let rows = try store.transcripts()
        let row = try #require(rows.first)
        #expect(rows.count == 1)
        // What is in the clear: when, how long, that it ended, where; never the language or outcomes.
        #expect(row.sealed && row.events > 10 && row.endReason == "" && row.office == "Tverskaya")
        #expect(row.channel.isEmpty && row.language.isEmpty && row.outcomes.isEmpty)
        let requests = try store.appointments()
        #expect(requests.count == 1)

        // Nothing the applicant typed in any stored byte, in the clear or in base64.
        var stored: [UInt8] = []
        for line in try store.lines(of: row.id) { stored += line.bytes + [0x0A] }
        for request in requests { stored += request.document }
        let text = String(decoding: stored, as: UTF8.self)
        for needle in [name, Data(name.utf8).base64EncodedString(), "Applicant \(name)", "applicant@example.com"] {
            #expect(!text.contains(needle), "\(needle)")
        }
        if kind == .sqlite {
            let found = files(under: place.directory.url.path, containing: name)
            #expect(found.isEmpty, "\(found)")
        }

        // Without a key: verified over the stored bytes, the events sealed.
        let unopened = try #require(try store.read(transcript: row.id))
        #expect(unopened.verification.status == .intact, "\(unopened.verification)")
        #expect(unopened.events.allSatisfy { $0.sealed })
        // With the lawyer's identity: the consultation as it happened.
        let opened = try #require(try store.read(transcript: row.id, keys: OpeningKeys(identities: [lawyer])))
        #expect(opened.verification.status == .intact)
        #expect(!opened.events.contains { $0.sealed })
        #expect(
            opened.events.contains { event in
                if case .answer(let answer) = event.event { return answer.input.contains(name) }
                return false
            })

        // The staff list without an identity says it is sealed, and an outcome filter leaves it out.
        let list = try consult(["transcripts", "list", "--data-dir", place.directory.url.path, "--store", place.url])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(row.id) && list.stdout.contains("sealed"), "\(list.stdout)")
        #expect(list.stdout.contains("Tverskaya/"), "\(list.stdout)")
        let filtered = try consult([
            "transcripts", "list", "--outcome", "vks_rp_eligible", "--data-dir", place.directory.url.path, "--store",
            place.url,
        ])
        #expect(!filtered.stdout.contains(row.id), "\(filtered.stdout)")
        let verify = try consult([
            "transcripts", "verify", "--all", "--data-dir", place.directory.url.path, "--store", place.url,
        ])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("\(row.id): intact"), "\(verify.stdout)")
    }
}
