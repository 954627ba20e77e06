import ConsultEngine

/// The outcome explanation as the applicant reads it: a heading, each outcome's explanation,
/// and the points the lawyer will confirm at the appointment.
public enum OutcomeText {
    public static func render(_ outcomes: [OutcomeStep], environment: Environment, presenter: Presenter) -> String {
        guard !outcomes.isEmpty else { return presenter.text("outcome.none") }
        var paragraphs = [presenter.text("outcome.heading")]
        var confirm: [String] = []
        for outcome in outcomes {
            let (text, points) = presenter.explanation(outcome, facts: environment)
            paragraphs.append(text)
            for p in points where !confirm.contains(p) { confirm.append(p) }
        }
        if !confirm.isEmpty {
            paragraphs.append(
                ([presenter.text("outcome.confirm_heading")] + confirm.map { "- \($0)" }).joined(separator: "\n"))
        }
        return paragraphs.joined(separator: "\n\n")
    }
}
