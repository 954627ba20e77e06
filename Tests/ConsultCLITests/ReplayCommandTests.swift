import ConsultEngine
import ConsultRecords
import ConsultTestSupport
import Foundation
import Testing

/// `consult replay`: consultations held with the real binary, then the rule changed in a copy of
/// the content; the replay lists exactly the consultations the change affects.
@Suite("consult replay", .serialized)
struct ReplayCommandTests {
    static let today = "2026-12-01"

    /// A specialist whose contract was terminated on `terminated` (DD.MM.YYYY), in English, no appointment.
    static func terminated(_ terminated: String) -> String {
        ["1", "yes", "1", "1", "1", "31.03.2028", "yes", terminated, "no", "no", "no", "no", "no", "no"]
            .joined(separator: "\n") + "\n"
    }

    /// Prices: the topic the VKS rules do not touch.
    static let prices = ["1", "yes", "3", "no"].joined(separator: "\n") + "\n"
    /// Gone before a topic was chosen.
    static let noTopic = ["1", "yes"].joined(separator: "\n") + "\n"

    /// Holds the consultations in a data directory of their own; returns it and each one's transcript id.
    static func consultations() throws -> (data: DataDirectory, ids: [String: String]) {
        let data = try temporaryDataDirectory("replay")
        var ids: [String: String] = [:]
        let cases = [
            ("10 days ago", terminated("21.11.2026")), ("25 days ago", terminated("06.11.2026")),
            ("36 days ago", terminated("26.10.2026")), ("61 days ago", terminated("01.10.2026")),
            ("prices", prices), ("no topic", noTopic),
        ]
        for (name, answers) in cases {
            let before = Set(TranscriptReader.all(in: data).map(\.lastPathComponent))
            let out = try runConsult(
                ["start", "--data-dir", data.url.path, "--today", today], input: Data(answers.utf8))
            #expect(out.status == 0, "\(name): \(out)")
            let new = TranscriptReader.all(in: data).map(\.lastPathComponent).filter { !before.contains($0) }
            ids[name] = try #require(new.first).replacingOccurrences(of: ".jsonl", with: "")
        }
        return (data, ids)
    }

    func replay(_ data: DataDirectory, _ content: ContentCopy?, _ more: [String] = []) throws -> ProcessOutput {
        var arguments = ["replay", "--data-dir", data.url.path] + more
        if let content { arguments += ["--dialogs", content.dialogs.path, "--locales", content.locales.path] }
        return try runConsult(arguments)
    }

    @Test("the content as it was: nothing changes, exit 0")
    func unchangedContent() throws {
        let (data, _) = try Self.consultations()
        defer { removeDirectory(data) }
        let content = try ContentCopy()
        defer { content.remove() }
        let out = try replay(data, content)
        #expect(out.status == 0, "\(out)")
        #expect(
            out.stdout
                == "6 replayed: 0 with other outcomes, 0 with another urgency, 0 needing a question never asked, "
                + "5 unchanged, 1 not replayable (no start, no topic, or sealed without --identity)\n", "\(out)")
        #expect(out.stderr.contains("replayed 6 consultations in "), "\(out.stderr)")
    }

    /// A copy of the content with the grace period `days` long instead of 30.
    static func grace(_ days: Int) throws -> ContentCopy {
        let content = try ContentCopy()
        let vks = content.dialogs.appendingPathComponent("vks_residence_permit.yaml")
        let text = try String(contentsOf: vks, encoding: .utf8)
        #expect(text.contains("value: termination_date + 30"))
        try text.replacingOccurrences(of: "value: termination_date + 30", with: "value: termination_date + \(days)")
            .write(to: vks, atomically: true, encoding: .utf8)
        return content
    }

    @Test("a shorter grace period: one consultation's outcomes change, one's urgency; the rest do not")
    func shorterGracePeriod() throws {
        let (data, ids) = try Self.consultations()
        defer { removeDirectory(data) }
        let content = try Self.grace(20)
        defer { content.remove() }

        let out = try replay(data, content)
        #expect(out.status == 1, "\(out)")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(out.stdout)")  // two consultations and the totals
        let id25 = try #require(ids["25 days ago"])
        let id10 = try #require(ids["10 days ago"])
        // 25 days after the termination: in the grace period with 30 days, past it with 20.
        let outcomes = try #require(lines.first { $0.hasPrefix(id25) }, "\(out.stdout)")
        #expect(
            outcomes.contains("OUTCOMES CHANGE") && outcomes.contains("outcomes: grace_period_active -> rp_cancelled"),
            "\(outcomes)")
        // 10 days after: 20 days left with 30, 10 with 20, and 10 left is urgent.
        let urgency = try #require(lines.first { $0.hasPrefix(id10) }, "\(out.stdout)")
        #expect(urgency.contains("URGENCY CHANGES") && urgency.contains("urgent: no -> yes"), "\(urgency)")
        for unchanged in ["36 days ago", "61 days ago", "prices", "no topic"] {
            #expect(!out.stdout.contains(try #require(ids[unchanged])), "\(unchanged) listed:\n\(out.stdout)")
        }
        #expect(
            lines.last
                == "6 replayed: 1 with other outcomes, 1 with another urgency, 0 needing a question never asked, "
                + "3 unchanged, 1 not replayable (no start, no topic, or sealed without --identity)", "\(out.stdout)")

        // The same as JSON, for other tools.
        let json = try replay(data, content, ["--format", "json"])
        let report = try JSONDecoder().decode(UntypedJSON.self, from: Data(json.stdout.utf8))
        guard case .object(let o) = report, case .array(let items)? = o["consultations"] else {
            Issue.record("\(json.stdout)")
            return
        }
        #expect(items.count == 2)
        #expect(
            items.contains(
                .object([
                    "id": .string(id25), "change": .string("outcomes"), "today": .string(Self.today),
                    "old_outcomes": .array([.string("grace_period_active")]),
                    "new_outcomes": .array([.string("rp_cancelled")]),
                    "old_urgent": .bool(true), "new_urgent": .bool(true), "missing": .array([]),
                    "cut_short": .bool(false),
                ])), "\(json.stdout)")
    }

    @Test("a longer grace period: a consultation that ended past it would now be asked what it never was")
    func longerGracePeriod() throws {
        let (data, ids) = try Self.consultations()
        defer { removeDirectory(data) }
        let content = try Self.grace(45)
        defer { content.remove() }

        let out = try replay(data, content)
        #expect(out.status == 1, "\(out)")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        let id36 = try #require(ids["36 days ago"])
        let id25 = try #require(ids["25 days ago"])
        // 36 days after: past the deadline with 30 days (so never asked about citizenship or family),
        // within it with 45: those questions are now on the way.
        let needs = try #require(lines.first { $0.hasPrefix(id36) }, "\(out.stdout)")
        #expect(
            needs.contains("NEEDS A QUESTION") && needs.contains("never asked: wants_citizenship, family_members"),
            "\(needs)")
        let urgency = try #require(lines.first { $0.hasPrefix(id25) }, "\(out.stdout)")
        #expect(urgency.contains("URGENCY CHANGES") && urgency.contains("urgent: yes -> no"), "\(urgency)")
        #expect(
            lines.last
                == "6 replayed: 0 with other outcomes, 1 with another urgency, 1 needing a question never asked, "
                + "3 unchanged, 1 not replayable (no start, no topic, or sealed without --identity)", "\(out.stdout)")
    }

    @Test("a new question on the way: every consultation of the topic would need it")
    func newQuestion() throws {
        let (data, ids) = try Self.consultations()
        defer { removeDirectory(data) }
        let content = try ContentCopy()
        defer { content.remove() }
        let vks = content.dialogs.appendingPathComponent("vks_residence_permit.yaml")
        let text = try String(contentsOf: vks, encoding: .utf8)
        let anchor = "  - let: permit_in_force\n"
        #expect(text.contains(anchor))
        try text.replacingOccurrences(
            of: anchor,
            with: """
                  - ask: has_patent
                    type: yesno
                    prompt: vks.wants_citizenship.prompt
                \(anchor)
                """
        ).write(to: vks, atomically: true, encoding: .utf8)
        // The new fact's name, for the lawyer, in every language.
        for language in ["en", "es", "ru"] {
            let url = content.locales.appendingPathComponent("\(language).yaml")
            let text = try String(contentsOf: url, encoding: .utf8)
            try text.replacingOccurrences(of: "\nmessages:\n", with: "\nmessages:\n  fact.has_patent: \"patent\"\n")
                .write(to: url, atomically: true, encoding: .utf8)
        }

        let out = try replay(data, content, ["--since", "2026-12-01"])
        #expect(out.status == 1, "\(out)")
        for name in ["10 days ago", "25 days ago", "36 days ago", "61 days ago"] {
            let id = try #require(ids[name])
            let line = try #require(out.stdout.split(separator: "\n").first { $0.hasPrefix(id) }, "\(out.stdout)")
            #expect(line.contains("NEEDS A QUESTION") && line.contains("never asked: has_patent"), "\(line)")
        }
        #expect(out.stdout.contains("4 needing a question never asked"), "\(out.stdout)")
        // None held after the day given.
        let later = try replay(data, content, ["--since", "2026-12-02"])
        #expect(later.status == 0 && later.stdout.hasPrefix("0 replayed"), "\(later)")
    }

    @Test("sealed consultations replay with a lawyer's identity, and are counted as sealed without one")
    func sealedConsultations() throws {
        let folder = try temporaryDirectory("replay-sealed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let identity = folder.appendingPathComponent("anna.key").path
        let passphrase = folder.appendingPathComponent("passphrase").path
        try Data("correct horse battery\n".utf8).write(to: URL(fileURLWithPath: passphrase))
        chmod(passphrase, 0o600)
        let made = try runConsult([
            "keys", "generate", "--out", identity, "--passphrase-file", passphrase, "--scrypt-log-n", "12",
        ])
        #expect(made.status == 0, "\(made)")
        let recipients = folder.appendingPathComponent("recipients").path
        try FileManager.default.copyItem(atPath: identity + ".pub", toPath: recipients)
        let data = try temporaryDataDirectory("replay-sealed")
        defer { removeDirectory(data) }
        let held = try runConsult(
            ["start", "--data-dir", data.url.path, "--today", Self.today, "--recipients", recipients],
            input: Data(Self.terminated("06.11.2026").utf8))
        #expect(held.status == 0, "\(held)")
        let content = try Self.grace(20)
        defer { content.remove() }

        let closed = try replay(data, content)
        #expect(closed.status == 0, "\(closed)")
        #expect(
            closed.stdout.hasPrefix("1 replayed: 0 with other outcomes") && closed.stdout.contains("1 not replayable"),
            "\(closed)")
        let opened = try replay(data, content, ["--identity", identity, "--passphrase-file", passphrase])
        #expect(opened.status == 1, "\(opened)")
        #expect(
            opened.stdout.contains("OUTCOMES CHANGE") && opened.stdout.contains("grace_period_active -> rp_cancelled"),
            "\(opened)")
    }
}
