import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
import Foundation
import Testing

func date(_ s: String) -> LocalDate { LocalDate(parsing: s)! }

/// Runs `consult run`'s logic on a facts file written as YAML.
func headless(_ yaml: String, today: String) throws -> HeadlessRun {
    var diagnostics: [Diagnostic] = []
    let file = try #require(YAMLFile.parse(yaml, displayPath: "facts.yaml", into: &diagnostics))
    return try HeadlessRun.run(shipped, facts: file, today: date(today))
}

/// The VKS facts of a typical applicant, with the given lines replacing the defaults.
func vksFacts(_ overrides: [String: String] = [:], family: String = "[]") -> String {
    var facts: [(String, String)] = [
        ("topic", "vks_residence_permit"),
        ("has_vks_work_permit", "issued"),
        ("work_permit_expires", "2028-03-31"),
        ("contract_terminated", "no"),
        ("wants_citizenship", "no"),
        ("wants_independent_permit", "no"),
        ("family_members", family),
        // Last, so that the lines above keep their numbers in tests that name a line.
        ("applicant_role", "vks"),
        ("holds_vks_residence_permit", "no"),
    ]
    for (k, v) in overrides {
        if let i = facts.firstIndex(where: { $0.0 == k }) { facts[i].1 = v } else { facts.append((k, v)) }
    }
    return facts.filter { $0.1 != "-" }.map { "\($0.0): \($0.1)" }.joined(separator: "\n")
}

/// A test vocabulary in one of the shipped languages.
func vocabulary(_ language: String) -> Localizer.Vocabulary { shipped.localizer.vocabulary(language) }

/// The outcome explanation of a headless run as the applicant reads it, with plain spaces.
func rendered(_ r: HeadlessRun, _ language: String) -> String {
    plainSpaces(
        OutcomeText.render(
            r.outcomes, environment: r.environment, presenter: Presenter(content: shipped, language: language)))
}

/// The VKS facts of a relative of a specialist, with the given lines replacing the defaults.
func relativeFacts(_ overrides: [String: String] = [:]) -> String {
    var o: [String: String] = ["applicant_role": "family_member", "family_members": "-", "relation_to_vks": "spouse"]
    for (k, v) in overrides { o[k] = v }
    return vksFacts(o)
}
