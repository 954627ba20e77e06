import Foundation
import Testing

/// With recipients configured, continuing later still works: the answers kept for later are sealed
/// under the code's key alone (the host cannot read them, nor can a lawyer's key), and the
/// transcripts of both parts are sealed to the lawyers.
@Suite struct SealedResumeTests {
    @Test func aSealedConsultationPausedGoesOnWithItsCode() throws {
        let office = try Office()
        defer { office.remove() }
        let sealed = ["--today", "2026-11-25", "--data-dir", office.data, "--recipients", office.recipients]
        let paused = try office.run(sealed, input: "1\nyes\n1\n1\n1\n31.03.2028\n/pause\n")
        #expect(paused.status == 0, "\(paused.stderr)")
        let codes = paused.stdout.matches(of: /\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b/).map { String($0.output) }
            .filter { $0 != "K7QM-4TXP-2WZA" }
        let code = try #require(codes.last, "\(paused.stdout)")
        let first = try #require(office.transcriptIDs().first)
        // The resume file holds nothing of the applicant, in any encoding.
        let kept = office.files().filter { $0.path.hasSuffix(".resume") }
        #expect(kept.count == 1)
        for (path, bytes) in kept {
            for secret in ["2028-03-31", "31.03.2028", "applicant_role", "vks_residence_permit", first, code] {
                for encoded in encodings(of: secret) {
                    #expect(!bytes.contains(encoded), "\(path) holds \(secret) as \(encoded)")
                }
            }
        }
        let rest = [
            "no", "no", "yes", "no", "no", "yes", "Ilse Kvortrupp", "2", "ilse.k@example.org", "1", "Mondays", "",
        ]
        let continued = try office.run(
            ["start", "--resume"] + sealed, input: ([code.lowercased()] + rest + ["yes"]).joined(separator: "\n") + "\n"
        )
        #expect(continued.status == 0, "\(continued.stderr)")
        #expect(continued.stdout.contains("Welcome back!"), "\(continued.stdout)")
        #expect(office.references().count == 1)
        #expect(!office.files().contains { $0.path.hasSuffix(".resume") })
        let verify = try office.run(["transcripts", "verify", "--all", "--data-dir", office.data])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.components(separatedBy: "intact").count - 1 == 2, "\(verify.stdout)")
        let second = try #require(office.transcriptIDs().first { $0 != first })
        // Sealed: the host reads nothing; a lawyer reads which consultation it continues.
        let onHost = try office.run(["transcripts", "show", second, "--data-dir", office.data])
        #expect(!onHost.stdout.contains(first), "\(onHost.stdout)")
        let read = try office.run(["transcripts", "show", second, "--data-dir", office.data] + office.opening("anna"))
        #expect(read.stdout.contains("Continued with a code: continues transcript \(first)"), "\(read.stdout)")
        #expect(read.stdout.contains("31 March 2028"), "\(read.stdout)")
    }
}
