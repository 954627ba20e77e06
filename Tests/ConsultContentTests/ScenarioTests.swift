import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
import Foundation
import Testing

/// Scenario files read from text, with the shipped content.
func scenarioFile(_ yaml: String, path: String = "dialogs/tests/example.yaml") throws -> (ScenarioFile, [Diagnostic]) {
    var diagnostics: [Diagnostic] = []
    let file = try #require(YAMLFile.parse(yaml, displayPath: path, into: &diagnostics))
    let loaded = ScenarioLoader.load(file, content: shipped, into: &diagnostics)
    return (loaded, diagnostics)
}

/// The shipped scenarios, run once.
let shippedScenarioResults: [ScenarioResult] = {
    var diagnostics: [Diagnostic] = []
    let files = ScenarioSuite.load(
        paths: [], defaultFolder: repositoryRoot.appendingPathComponent("dialogs/tests"),
        content: shipped, into: &diagnostics)
    precondition(diagnostics.isEmpty, "\(diagnostics)")
    return files.flatMap(\.scenarios).map { ScenarioRunner.run($0, content: shipped) }
}()

@Suite struct ScenarioTests {
    static let grace = """
        today: 2026-11-25
        cases:
          - name: grace period, 15 days left
            answers:
              topic: vks_residence_permit
              applicant_role: vks
              has_vks_work_permit: issued
              work_permit_expires: 2028-03-31
              contract_terminated: yes
              termination_date: 2026-11-10
              new_contract_signed: no
              holds_vks_residence_permit: no
              wants_citizenship: no
              wants_independent_permit: no
              family_members: []
        """

    @Test func theShippedScenariosPass() {
        #expect(shippedScenarioResults.count >= 40)
        for result in shippedScenarioResults where !result.passed {
            Issue.record("\(result.scenario.location) \(result.scenario.name): \(result.failures)")
        }
    }

    @Test func aPassingCaseReportsOnlyTheTotals() throws {
        let (file, diagnostics) = try scenarioFile(
            Self.grace + """

                    outcomes: [grace_period_active]
                    facts: {grace_days_left: 15, grace_deadline: 2026-12-10, urgent: no, permit_valid_until: ~}
                    not_asked: [relation_to_vks]
                    explanation:
                      ru: "Осталось 15 дней"
                """)
        #expect(diagnostics.isEmpty)
        let results = file.scenarios.map { ScenarioRunner.run($0, content: shipped) }
        #expect(results.map(\.passed) == [true])
        #expect(ScenarioSuite.report(results, diagnostics: []) == "1 case: 1 passed, 0 failed")
    }

    @Test func aFailingCaseIsNamedByFileAndLineWithExpectedAndActual() throws {
        let (file, _) = try scenarioFile(
            Self.grace + """

                    outcomes: [rp_cancelled]
                    facts: {grace_days_left: 14, permit_valid_until: 2028-03-31}
                    not_asked: [contract_terminated]
                    explanation:
                      en: "20 days are left"
                """)
        let results = file.scenarios.map { ScenarioRunner.run($0, content: shipped) }
        let report = ScenarioSuite.report(results, diagnostics: [])
        #expect(report.contains("FAIL dialogs/tests/example.yaml:3 grace period, 15 days left"))
        #expect(
            report.contains(
                """
                  outcomes
                    expected: [rp_cancelled]
                    actual:   [grace_period_active]
                """))
        #expect(
            report.contains(
                """
                  fact grace_days_left
                    expected: 14
                    actual:   15
                """))
        #expect(
            report.contains(
                """
                  fact permit_valid_until
                    expected: 2028-03-31
                    actual:   not set
                """))
        #expect(
            report.contains("question contract_terminated\n    expected: not asked\n    actual:   asked (answered yes)")
        )
        // The explanation is shown as it is, so that the writer sees what to expect instead.
        #expect(report.contains("explanation (en)\n    expected: contains \"20 days are left\""))
        #expect(plainSpaces(report).contains("15 days are left"))
        #expect(report.hasSuffix("1 case: 0 passed, 1 failed"))
    }

    @Test func outcomesIncludeAcceptsOthersButNamesWhatIsAbsent() throws {
        let (file, _) = try scenarioFile(
            Self.grace + """

                    outcomes_include: [grace_period_active, citizenship_path]
                """)
        let result = try #require(file.scenarios.first.map { ScenarioRunner.run($0, content: shipped) })
        #expect(result.failures.map(\.actual) == ["[grace_period_active] (without citizenship_path)"])
    }

    @Test func answersThatStopShortNameTheQuestion() throws {
        let (file, _) = try scenarioFile(
            """
            cases:
              - name: stops early
                today: 2026-11-25
                answers: {topic: vks_residence_permit, applicant_role: vks, has_vks_work_permit: issued}
                outcomes: [vks_rp_eligible]
            """)
        let result = try #require(file.scenarios.first.map { ScenarioRunner.run($0, content: shipped) })
        #expect(result.failures.first?.actual == "no answer for work_permit_expires")
    }

    @Test func aBadValueInTheAnswersIsLocatedInTheScenarioFile() throws {
        let (file, _) = try scenarioFile(
            """
            cases:
              - name: bad date
                today: 2026-11-25
                answers:
                  topic: vks_residence_permit
                  applicant_role: vks
                  has_vks_work_permit: issued
                  work_permit_expires: 31.03.2028
                outcomes: [vks_rp_eligible]
            """)
        let results = file.scenarios.map { ScenarioRunner.run($0, content: shipped) }
        let report = ScenarioSuite.report(results, diagnostics: [])
        #expect(report.contains("FAIL dialogs/tests/example.yaml:2 bad date"))
        #expect(
            report.contains(
                "dialogs/tests/example.yaml:8:28: error: 'work_permit_expires' must be a date written YYYY-MM-DD"))
    }

    @Test(arguments: [
        ("outcome: [x]", "3:5", "unknown key 'outcome' in a case", "did you mean 'outcomes'?"),
        (
            "outcomes: [grace_period_activ]", "3:16", "no dialog has the outcome 'grace_period_activ'",
            "did you mean 'grace_period_active'?"
        ),
        ("facts: {grace_days: 3}", "3:13", "no dialog asks or computes 'grace_days'", ""),
        ("facts: {grace_deadline: 10.12.2026}", "3:29", "'grace_deadline' is a date written YYYY-MM-DD", ""),
        ("facts: {urgent: maybe}", "3:21", "'urgent' is yes or no", ""),
        ("not_asked: [urgent]", "3:17", "'not_asked' lists questions' facts", ""),
        ("explanation: {de: \"x\"}", "3:19", "there is no locale 'de'", ""),
    ])
    func mistakesInAScenarioFileAreLocated(_ line: String, _ place: String, _ message: String, _ hint: String) throws {
        let (_, diagnostics) = try scenarioFile(
            """
            cases:
              - name: a case
                \(line)
                today: 2026-11-25
                answers: {topic: prices}
            """)
        let d = try #require(diagnostics.first)
        #expect("\(d.location.line):\(d.location.column)" == place)
        #expect(d.severity == .error)
        #expect(d.description.hasPrefix("dialogs/tests/example.yaml:\(place): error: \(message)"))
        if !hint.isEmpty { #expect(d.description.contains(hint)) }
    }

    @Test func aMisspeltAnswerIsAnErrorNotAnotherWay() throws {
        let (file, diagnostics) = try scenarioFile(
            """
            today: 2026-11-25
            cases:
              - name: typo
                answers: {topic: vks_residence_permit, has_vks_work_permt: none}
                outcomes: [vks_rp_not_eligible]
            """)
        #expect(file.scenarios.isEmpty)
        #expect(
            diagnostics.map(\.description) == [
                "dialogs/tests/example.yaml:4:44: error: no question asks 'has_vks_work_permt'; did you mean 'has_vks_work_permit'? [scenario-unknown-fact]"
            ])
    }

    @Test func aCaseWithoutDateOrExpectationIsRefused() throws {
        let (_, diagnostics) = try scenarioFile(
            """
            cases:
              - name: nothing expected
                answers: {topic: prices}
            """)
        #expect(diagnostics.map(\.id) == [ScenarioRule.today.id, ScenarioRule.empty.id])
        #expect(diagnostics.allSatisfy { $0.location.line == 2 })
    }

    // MARK: Coverage

    @Test func coverageListsWhatOneScenarioLeavesUnreached() throws {
        let (file, _) = try scenarioFile(
            """
            cases:
              - name: no RVP
                today: 2026-11-25
                answers: {topic: general_residence_permit, has_rvp: no}
                outcomes: [general_rvp_first]
            """)
        let results = file.scenarios.map { ScenarioRunner.run($0, content: shipped) }
        let coverage = ScenarioCoverage(content: shipped, results: results)
        let unreached = coverage.gaps.filter { $0.kind == .outcome }.map(\.subject)
        #expect(unreached.contains("general_rp_window_closed (general.outcome.general_rp_window_closed)"))
        #expect(!unreached.contains { $0.hasPrefix("general_rvp_first ") })
        let closed = try #require(coverage.gaps.first { $0.subject.hasPrefix("general_rp_window_closed") })
        #expect(closed.location.file.hasSuffix("dialogs/general_residence_permit.yaml"))
        // has_rvp was never yes: the question about the RVP's date was never taken.
        #expect(coverage.gaps.contains { $0.kind == .neverTrue && $0.subject == "has_rvp" })
        #expect(coverage.gaps.contains { $0.kind == .message && $0.subject == "general.rvp_issued.prompt" })
        #expect(coverage.notWalked.contains("vks_residence_permit"))
        let report = ScenarioSuite.report(coverage, scenarios: 1)
        #expect(report.contains("Outcomes no scenario reaches: 4"))
        #expect(report.contains("general_residence_permit.yaml:"))
    }

    @Test func theShippedScenariosReachEveryOutcomeConditionAndMessage() {
        let coverage = ScenarioCoverage(content: shipped, results: shippedScenarioResults)
        #expect(coverage.gaps == [], "\(ScenarioSuite.report(coverage, scenarios: shippedScenarioResults.count))")
        #expect(Set(coverage.notWalked) == ["intake", "closing"])
    }
}
