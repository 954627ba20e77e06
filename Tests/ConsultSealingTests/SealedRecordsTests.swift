import ConsultEngine
import ConsultSealing
import Foundation
import Testing

@testable import ConsultRecords

/// With recipients configured, the data directory holds nothing of the applicant; the host
/// cannot read its own records; each recipient can; `verify` works without a key.
@Suite struct SealedRecordsTests {
    @Test func aConsultationLeavesNoTraceOfTheApplicantInTheDataDirectory() throws {
        let office = try Office()
        defer { office.remove() }
        let name = "Zorbulat Quuxington-Vreel"
        let email = "zq.vreel.7731@example.org"
        let id = try office.consultation(name: name, email: email)
        #expect(office.references().count == 1)
        let files = office.files()
        #expect(files.count >= 3)
        // What the applicant typed and what they were told, in every encoding a file could hold it.
        let personal = [
            name, email, "Mondays", "2028-03-31", "31.03.2028", "vks_rp_eligible", "citizenship_path",
            "applicant_role", "\"en\"",
        ]
        for (path, bytes) in files {
            for secret in personal {
                for encoded in encodings(of: secret) {
                    #expect(!bytes.contains(encoded), "\(path) holds \(secret) as \(encoded)")
                }
            }
        }
        // The same consultation in the clear does hold them: the search above can find what it looks for.
        let plain = try office.consultation(name: name, email: email, sealed: false)
        let plainBytes = try Data(contentsOf: office.transcript(plain))
        #expect(plainBytes.contains(name) && plainBytes.contains("2028-03-31"))
        #expect(id != plain)
    }

    @Test func theHostCannotReadWhatItWroteAndEachRecipientCan() throws {
        let office = try Office()
        defer { office.remove() }
        let name = "Ilse Kvortrupp"
        let id = try office.consultation(name: name, email: "ilse.k@example.org")
        let reference = try #require(office.references().first)
        // On the host: listed and verified, but the content is sealed.
        var result = try office.run(["transcripts", "show", id, "--data-dir", office.data])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("The content is sealed"))
        #expect(!result.stdout.contains(name))
        result = try office.run(["appointments", "show", reference, "--data-dir", office.data])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("The content is sealed") && !result.stdout.contains(name))
        result = try office.run(["transcripts", "list", "--data-dir", office.data])
        #expect(result.stdout.contains(id) && result.stdout.contains("sealed"))
        result = try office.run(["transcripts", "verify", "--all", "--data-dir", office.data])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\(id): intact (") && result.stdout.contains("sealed, written by host"))

        // Each lawyer reads it as before, in any of the three languages.
        for (lawyer, lang) in [("anna", "en"), ("recovery", "ru"), ("anna", "es")] {
            let heading = try staffMessage("staff.facts", lang)
            result = try office.run(
                ["transcripts", "show", id, "--data-dir", office.data, "--lang", lang] + office.opening(lawyer))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains(name) && result.stdout.contains(heading), "\(result.stdout)")
            #expect(!result.stdout.contains("The content is sealed"))
            // Which machine wrote it, as verify names it.
            let sealedField = try staffMessage("staff.sealed_field", lang)
            #expect(result.stdout.contains("\(sealedField): "), "\(result.stdout)")
            result = try office.run(
                ["appointments", "show", reference, "--data-dir", office.data, "--lang", lang] + office.opening(lawyer))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains(name))
        }
        result = try office.run(["appointments", "list", "--data-dir", office.data] + office.opening("recovery"))
        #expect(result.stdout.contains(name) && result.stdout.contains("vks_rp_eligible"))
    }

    @Test func aRemovedRecipientCannotOpenNewRecordsAndOldOnesStillOpen() throws {
        let office = try Office()
        defer { office.remove() }
        let old = try office.consultation(name: "Before Rotation", email: "before@example.org")
        // Anna leaves the office: the recipients file is written again without her.
        try office.writeRecipients(["recovery"])
        let new = try office.consultation(name: "After Rotation", email: "after@example.org")
        var result = try office.run(["transcripts", "show", new, "--data-dir", office.data] + office.opening("anna"))
        #expect(result.status == 0)
        #expect(result.stdout.contains("The content is sealed") && !result.stdout.contains("After Rotation"))
        result = try office.run(["transcripts", "show", old, "--data-dir", office.data] + office.opening("anna"))
        #expect(result.stdout.contains("Before Rotation"))
        for id in [old, new] {
            result = try office.run(
                ["transcripts", "show", id, "--data-dir", office.data] + office.opening("recovery"))
            #expect(result.stdout.contains("Rotation"), "\(id)")
        }
    }

    @Test func aCutShortSealedTranscriptOpensUpToItsLastEvent() throws {
        let office = try Office()
        defer { office.remove() }
        let id = try office.consultation(name: "Torn Off", email: "torn@example.org")
        let url = office.transcript(id)
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        lines = Array(lines.prefix(12))
        // The power went out in the middle of the next line.
        try Data((lines.joined(separator: "\n") + "\n" + String(lines[5].prefix(40))).utf8).write(to: url)
        // The store holds only what reached it before the power went out: built again from the file.
        office.forgetStore()
        var result = try office.run(["transcripts", "verify", id, "--data-dir", office.data])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\(id): cut short — no end event after 12 events"))
        result = try office.run(
            ["transcripts", "show", id, "--data-dir", office.data, "--format", "json"] + office.opening("anna"))
        let events = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(events?.count == 12)
        #expect(events?.first?["kind"] as? String == "start")
    }

    @Test func aWrongPassphraseAndADamagedIdentityAreRefusedClearly() throws {
        let office = try Office()
        defer { office.remove() }
        let wrong = office.folder.appendingPathComponent("wrong").path
        try Data("not the passphrase\n".utf8).write(to: URL(fileURLWithPath: wrong))
        chmod(wrong, 0o600)
        var result = try office.run([
            "transcripts", "list", "--data-dir", office.data, "--identity", office.identity("anna"),
            "--passphrase-file", wrong,
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(office.identity("anna")): wrong passphrase"), "\(result.stderr)")
        // One character of the sealed key changed.
        var text = try String(contentsOfFile: office.identity("anna"), encoding: .utf8)
        let key = try #require(text.range(of: "key: ")).upperBound
        text.replaceSubrange(key...key, with: text[key] == "A" ? "B" : "A")
        try Data(text.utf8).write(to: URL(fileURLWithPath: office.identity("anna")))
        result = try office.run(["transcripts", "list", "--data-dir", office.data] + office.opening("anna"))
        #expect(result.status != 0)
        #expect(result.stderr.contains("the file is damaged"), "\(result.stderr)")
        // A recipients file with a mistyped key: refused at file:line before any consultation.
        try Data("# lawyers\nconsult-recipient-1:AAAA\n".utf8).write(to: URL(fileURLWithPath: office.recipients))
        result = try office.run(["--data-dir", office.data, "--recipients", office.recipients], input: "")
        #expect(result.status != 0)
        #expect(
            result.stderr.contains(
                "\(office.recipients):2: the key after 'consult-recipient-1:' is not 48 base64url characters"),
            "\(result.stderr)")
        #expect(office.transcriptIDs().isEmpty)
    }
}

/// A staff message as the locale file has it (the heading a lawyer reads in `lang`).
func staffMessage(_ key: String, _ lang: String) throws -> String {
    let text = try String(contentsOf: Office.root.appendingPathComponent("locales/\(lang).yaml"), encoding: .utf8)
    let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("  \(key): ") })
    return String(line.dropFirst(key.count + 4)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
}
