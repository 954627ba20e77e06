import ConsultTestSupport
import Foundation
import Testing

/// `consult test` and `consult graph` as a paralegal runs them: the real binary, its report and exit status.
@Suite struct ContentToolsCommandTests {
    func consult(_ arguments: [String], environment: [String: String]? = nil) throws -> ProcessOutput {
        try runConsult(arguments, environment: environment)
    }

    func scenario(_ text: String) throws -> URL {
        let url = temporaryPath("scenario", extension: "yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func theShippedScenariosPassAndCoverEverything() throws {
        let out = try consult(["test", "--coverage"])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("0 failed"))
        #expect(out.stdout.contains("Outcomes no scenario reaches: none"))
        #expect(out.stdout.contains("Messages no scenario shows: none"))
    }

    @Test func aScenarioBrokenOnPurposeFailsWithItsPlace() throws {
        let file = try scenario(
            """
            today: 2026-11-25
            cases:
              - name: passes
                answers: {topic: prices}
                outcomes: [prices_on_request]
              - name: expired, but expected eligible
                answers:
                  topic: vks_residence_permit
                  applicant_role: vks
                  has_vks_work_permit: issued
                  work_permit_expires: 2026-11-24
                outcomes: [vks_rp_eligible]
                facts: {urgent: no}
            """)
        let out = try consult(["test", file.path])
        #expect(out.status == 1)
        #expect(out.stdout.contains("FAIL \(file.path):6 expired, but expected eligible"))
        #expect(out.stdout.contains("outcomes\n    expected: [vks_rp_eligible]\n    actual:   [work_permit_expired]"))
        #expect(out.stdout.contains("fact urgent\n    expected: no\n    actual:   yes"))
        #expect(!out.stdout.contains("FAIL \(file.path):3"))
        #expect(out.stdout.contains("2 cases: 1 passed, 1 failed"))
    }

    @Test func aBadScenarioFileGetsLocatedDiagnostics() throws {
        let file = try scenario(
            """
            cases:
              - name: typo
                today: 2026-11-25
                answers: {topic: prices}
                outcome: [prices_on_request]
            """)
        let out = try consult(["test", file.path])
        #expect(out.status == 1)
        #expect(out.stdout.contains("\(file.path):5:5: error: unknown key 'outcome' in a case"))
    }

    @Test func theGraphOfTheVKSFlowInRussianAsMermaidAndDOT() throws {
        let mermaid = try consult(["graph", "--format", "mermaid", "--lang", "ru", "--dialog", "vks_residence_permit"])
        #expect(mermaid.status == 0, "\(mermaid.stderr)")
        #expect(mermaid.stdout.hasPrefix("flowchart TD\n"))
        #expect(mermaid.stdout.contains("Да, выдано [issued]"))
        #expect(mermaid.stdout.contains("⚠ Срочно"))
        let dot = try consult(["graph", "--lang", "es"])
        #expect(dot.status == 0)
        #expect(dot.stdout.hasPrefix("digraph consult {"))
        #expect(dot.stdout.contains("subgraph cluster_"))
        let unknown = try consult(["graph", "--dialog", "nope"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no dialog 'nope'"))
    }

    @Test func svgThroughGraphvizOrAClearMessageWithoutIt() throws {
        let hasDot = ["/usr/bin/dot", "/usr/local/bin/dot"].contains {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        if hasDot {
            let svg = try consult(["graph", "--format", "svg", "--lang", "ru", "--dialog", "vks_residence_permit"])
            #expect(svg.status == 0, "\(svg.stderr)")
            #expect(svg.stdout.contains("<svg"))
            #expect(svg.stdout.contains("Да, выдано [issued]"))
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "/nonexistent"
        let without = try consult(["graph", "--format", "svg"], environment: environment)
        #expect(without.status == 69)
        #expect(without.stderr.contains("Graphviz's `dot` is not installed"))
        #expect(without.stdout.isEmpty)
    }
}
