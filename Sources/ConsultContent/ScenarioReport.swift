import ConsultEngine
import Foundation

/// Scenario files read together, and the report `consult test` prints.
public enum ScenarioSuite {
    /// Reads the scenario files among `paths` (files or folders), or every `*.yaml` of `defaultFolder`.
    public static func load(
        paths: [String], defaultFolder: URL, content: Content,
        into diagnostics: inout [Diagnostic]
    ) -> [ScenarioFile] {
        let urls = ScenarioLoader.files(in: paths, defaultFolder: defaultFolder)
        return urls.compactMap { ScenarioLoader.load($0, content: content, into: &diagnostics) }
    }

    /// The pass/fail report: each failing case by file:line with expected against actual, then totals.
    public static func report(_ results: [ScenarioResult], diagnostics: [Diagnostic], verbose: Bool = false) -> String {
        var out: [String] = diagnostics.map(\.description)
        for result in results {
            let s = result.scenario
            let place = "\(s.location.file):\(s.location.line)"
            guard !result.passed else {
                if verbose { out.append("PASS \(place) \(s.name)") }
                continue
            }
            out.append("FAIL \(place) \(s.name)")
            for f in result.failures {
                if let location = f.location {
                    out.append("  \(location): error: \(f.actual)")
                    continue
                }
                out.append("  \(f.what)")
                out.append("    expected: \(indented(f.expected))")
                out.append("    actual:   \(indented(f.actual))")
            }
        }
        let failed = results.filter { !$0.passed }.count
        var summary =
            "\(results.count) case\(results.count == 1 ? "" : "s"): \(results.count - failed) passed, \(failed) failed"
        if !diagnostics.isEmpty {
            summary += "; \(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s") in the scenario files"
        }
        out.append(summary)
        return out.joined(separator: "\n")
    }

    /// What no scenario reaches, each at its place in the dialogs.
    public static func report(_ coverage: ScenarioCoverage, scenarios: Int) -> String {
        var out = ["Coverage by \(scenarios) scenario\(scenarios == 1 ? "" : "s"):"]
        let sections: [(ScenarioCoverage.Gap.Kind, String)] = [
            (.outcome, "Outcomes no scenario reaches"),
            (.neverTrue, "Conditions never true (the step is never taken)"),
            (.neverFalse, "Conditions never false (the step is never passed by)"),
            (.message, "Messages no scenario shows"),
        ]
        for (kind, title) in sections {
            let gaps = coverage.gaps.filter { $0.kind == kind }
            out.append("\(title): \(gaps.isEmpty ? "none" : String(gaps.count))")
            for gap in gaps { out.append("  \(gap.location): \(gap.subject)") }
        }
        if !coverage.notWalked.isEmpty {
            out.append(
                "Dialogs no scenario walks (scenarios start at a topic's dialog, as consult run does): \(coverage.notWalked.joined(separator: ", "))"
            )
        }
        return out.joined(separator: "\n")
    }

    private static func indented(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n              ")
    }
}
