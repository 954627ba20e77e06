import ConsultTestSupport
import Foundation
import Testing

/// `consult lint --format json`: the same problems as the text output, for an editor or CI.
@Suite struct LintFormatTests {
    struct Entry: Decodable, Equatable {
        let file: String
        let line: Int
        let column: Int
        let severity: String
        let id: String
        let message: String
    }

    @Test("an error and a typography warning come out as JSON objects with their places, as the text output has them")
    func json() throws {
        let copy = try ContentCopy("lint-json")
        defer { copy.remove() }
        let dir = copy.root
        let vks = dir.appendingPathComponent("dialogs/vks_residence_permit.yaml")
        let text = try String(contentsOf: vks, encoding: .utf8)
        try text.replacingOccurrences(of: "has_vks_work_permit == \"none\"", with: "has_vks_work_permit == \"nothing\"")
            .write(to: vks, atomically: true, encoding: .utf8)
        let en = dir.appendingPathComponent("locales/en.yaml")
        let english = try String(contentsOf: en, encoding: .utf8)
        try english.replacingOccurrences(of: "office.phone: \"+7\u{00A0}495", with: "office.phone: \"+7 495")
            .write(to: en, atomically: true, encoding: .utf8)

        let runner = RunCommandTests()
        let asText = try runner.consult(["lint"], in: dir)
        let asJSON = try runner.consult(["lint", "--format", "json"], in: dir)
        #expect(asJSON.status == asText.status && asJSON.status != 0)
        let entries = try JSONDecoder().decode([Entry].self, from: Data(asJSON.stdout.utf8))
        let described = entries.map { "\($0.file):\($0.line):\($0.column): \($0.severity): \($0.message) [\($0.id)]" }
        #expect(described == asText.stdout.split(separator: "\n").map(String.init))
        #expect(
            entries.contains {
                $0.severity == "error" && $0.file == "dialogs/vks_residence_permit.yaml"
                    && $0.message.contains("\"nothing\"")
            })
        #expect(
            entries.contains {
                $0.severity == "warning" && $0.id == "typography-no-break" && $0.file == "locales/en.yaml"
            },
            "\(asJSON.stdout)")
    }
}
