import ConsultTestSupport
import Foundation
import Testing

/// `consult run` and `consult lint` as other tools call them: the real binary, its output and exit status.
@Suite struct RunCommandTests {
    func consult(_ arguments: [String], in directory: URL = repositoryRoot) throws -> ProcessOutput {
        try runConsult(arguments, directory: directory)
    }

    func factsFile(_ text: String, ext: String = "yaml") throws -> URL {
        let url = temporaryPath("facts", extension: ext)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// `consult run --format json` is plain JSON for other tools (dates as YYYY-MM-DD, choices as
    /// strings; not the records' tagged values): read with a generic JSON parser, as those tools read it.
    func json(_ output: ProcessOutput) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    static let grace = """
        topic: vks_residence_permit
        applicant_role: vks
        has_vks_work_permit: issued
        work_permit_expires: 2028-03-31
        contract_terminated: yes
        termination_date: 2026-11-10
        new_contract_signed: no
        holds_vks_residence_permit: yes
        wants_citizenship: yes
        wants_independent_permit: no
        family_members:
          - {relation: spouse, age: 34}
          - {relation: child, age: 18}
        """

    @Test func jsonForTheGraceRoute() throws {
        let out = try consult(["run", "--facts", try factsFile(Self.grace).path, "--today", "2026-11-25"])
        #expect(out.status == 0, "\(out.stderr)")
        let object = try json(out)
        #expect(
            object["outcomes"] as? [String] == [
                "grace_period_active", "citizenship_path", "family_included", "family_review",
            ])
        #expect(object["missing"] as? [String] == [])
        let facts = try #require(object["facts"] as? [String: Any])
        #expect(facts["grace_deadline"] as? String == "2026-12-10")
        #expect(facts["grace_days_left"] as? Int == 15)
        #expect(facts["termination_date"] as? String == "2026-11-10")
        let family = try #require(facts["family_members"] as? [[String: Any]])
        #expect(family.map { $0["included"] as? Bool } == [true, false])
        #expect(family.map { $0["relation"] as? String } == ["spouse", "child"])
    }

    @Test func jsonFactsFileWorksToo() throws {
        let file = try factsFile(
            """
            {"topic": "vks_residence_permit", "applicant_role": "vks", "has_vks_work_permit": "applied", "wants_citizenship": false,
             "wants_independent_permit": true, "family_members": []}
            """, ext: "json")
        let out = try consult(["run", "--facts", file.path, "--today", "2026-11-25"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(try json(out)["outcomes"] as? [String] == ["vks_rp_after_work_permit", "general_order_route"])
    }

    @Test(arguments: [
        ("en", ["15 days", "10 December 2026", "lawyer"]),
        ("es", ["15 días", "10 de diciembre de 2026", "abogado"]),
        ("ru", ["15 дней", "10 декабря 2026 г", "юрист"]),
    ])
    func textInEachLanguage(language: String, expected: [String]) throws {
        let out = try consult([
            "run", "--facts", try factsFile(Self.grace).path, "--today", "2026-11-25", "--format", "text", "--lang",
            language,
        ])
        #expect(out.status == 0, "\(out.stderr)")
        let text = plainSpaces(out.stdout)
        for fragment in expected {
            #expect(text.contains(fragment), "\(language): '\(fragment)' not in:\n\(text)")
        }
        #expect(!text.contains("{"), "a placeholder was left: \(text)")
        #expect(!text.contains("vks."), "a raw key was shown: \(text)")
    }

    @Test func russianDayCountsAgreeWithTheNumber() throws {
        for (today, phrase) in [
            ("2026-12-09", "1 день"), ("2026-12-08", "2 дня"), ("2026-11-19", "21 день"), ("2026-12-05", "5 дней"),
        ] {
            let out = try consult([
                "run", "--facts", try factsFile(Self.grace).path, "--today", today, "--format", "text", "--lang", "ru",
            ])
            #expect(out.status == 0)
            let text = out.stdout.replacingOccurrences(of: "\u{00A0}", with: " ")
            #expect(text.contains(phrase), "\(today): expected '\(phrase)' in\n\(out.stdout)")
        }
    }

    @Test func missingFactsExitThreeAndAreListed() throws {
        let out = try consult([
            "run", "--facts", try factsFile("topic: vks_residence_permit\nhas_vks_work_permit: issued").path, "--today",
            "2026-11-25",
        ])
        #expect(out.status == 3)
        #expect(try json(out)["missing"] as? [String] == ["applicant_role", "work_permit_expires"])
        #expect(out.stderr.contains("work_permit_expires"))
    }

    @Test func aMissingTopicIsAMissingFact() throws {
        let out = try consult(["run", "--facts", try factsFile("has_vks_work_permit: none").path])
        #expect(out.status == 3)
        #expect(out.stderr.contains("topic"))
    }

    @Test(arguments: [
        ("work_permit_expires: 31.03.2028", "work_permit_expires", "YYYY-MM-DD"),
        ("has_vks_work_permit: yes please", "has_vks_work_permit", "issued, applied, none"),
        ("family_members: [{relation: spouse}]", "family_members[0]", "lacks 'age'"),
        ("topic: holidays", "topic", "vks_residence_permit"),
    ])
    func malformedValuesExitTwoNamingTheFact(line: String, fact: String, expected: String) throws {
        var lines = Self.grace.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("  -") }
            .map { $0 == "family_members:" ? "family_members: []" : $0 }
        let key = String(line.prefix { $0 != ":" })
        lines.removeAll { $0.hasPrefix(key + ":") }
        lines.append(line)
        let out = try consult([
            "run", "--facts", try factsFile(lines.joined(separator: "\n")).path, "--today", "2026-11-25",
        ])
        #expect(out.status == 2, "\(out.stdout)\(out.stderr)")
        #expect(out.stderr.contains(fact), "\(out.stderr)")
        #expect(out.stderr.contains(expected), "\(out.stderr)")
        #expect(out.stderr.contains(":\(lines.count):"), "the message should name the line: \(out.stderr)")
    }

    @Test func aFileThatIsNotYAMLExitsTwo() throws {
        let out = try consult(["run", "--facts", try factsFile("topic: [unclosed").path])
        #expect(out.status == 2)
        #expect(out.stderr.contains("YAML syntax"))
    }

    @Test func unknownFactsAreReported() throws {
        let out = try consult([
            "run", "--facts", try factsFile(Self.grace + "\nfavourite_colour: blue").path, "--today", "2026-11-25",
        ])
        #expect(out.status == 0)
        #expect(out.stderr.contains("unknown fact 'favourite_colour'"))
    }

    @Test func theShippedContentLintsClean() throws {
        let out = try consult(["lint"])
        #expect(out.status == 0)
        #expect(out.stdout == "")
        #expect(out.stderr.contains("0 errors, 0 warnings"))
    }

    @Test func lintFailsWithThePlaceOfAnError() throws {
        let dir = try ContentCopy("lint").root
        let vks = dir.appendingPathComponent("dialogs/vks_residence_permit.yaml")
        var text = try String(contentsOf: vks, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "when: has_vks_work_permit == \"none\"", with: "when: has_vks_work_permit == \"nothing\"")
        try text.write(to: vks, atomically: true, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let line = try #require(lines.firstIndex { $0.contains("\"nothing\"") })
        let column =
            lines[line].distance(from: lines[line].startIndex, to: lines[line].range(of: "\"nothing\"")!.lowerBound) + 1
        let out = try consult(["lint"], in: dir)
        #expect(out.status != 0)
        #expect(
            out.stdout.contains(
                "dialogs/vks_residence_permit.yaml:\(line + 1):\(column): error: \"nothing\" is not a value of 'has_vks_work_permit'"
            ), "\(out.stdout)")
    }
}
