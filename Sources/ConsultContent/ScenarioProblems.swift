import ConsultEngine

/// Rules of the scenario files that `consult test` runs.
public enum ScenarioRule: String, DiagnosticRule {
    case shape = "scenario-shape"
    case key = "scenario-key"
    case name = "scenario-name"
    case today = "scenario-today"
    case answers = "scenario-answers"
    case outcomes = "scenario-outcomes"
    case empty = "scenario-empty"
    case date = "scenario-date"
    case computedAnswer = "scenario-computed-answer"
    case unknownFact = "scenario-unknown-fact"
    case outcome = "scenario-outcome"
    case unknownOutcome = "scenario-unknown-outcome"
    case value = "scenario-value"
    case language = "scenario-language"

    public var severity: Diagnostic.Severity { .error }
}

/// What can be wrong in a scenario file.
public enum ScenarioProblem: DiagnosticMessage, Hashable {
    /// A part of the file that is not the mapping or list it should be: the sentence says what it should be.
    case shape(String)
    case noCases
    case unknownFileKey(String)
    case unknownCaseKey(String, known: [String], suggestion: String?)
    case noName
    case noToday
    case noAnswers
    case outcomesAndOutcomesInclude
    case expectsNothing
    case notADate(field: String)
    case computedAnswer(String)
    case answerNotAsked(String, suggestion: String?)
    case notAskedNotAQuestion(String)
    case unknownFact(String, suggestion: String?)
    case outcomeNotText
    case unknownOutcome(String, suggestion: String?)
    /// `'fact' is WHAT`: the value expected is not one the fact can have.
    case value(fact: String, shouldBe: String)
    case unknownItemField(group: String, field: String, fields: [String])
    case unknownLanguage(String, available: [String])

    public var rule: ScenarioRule {
        switch self {
        case .shape, .noCases: .shape
        case .unknownFileKey, .unknownCaseKey: .key
        case .noName: .name
        case .noToday: .today
        case .noAnswers: .answers
        case .outcomesAndOutcomesInclude: .outcomes
        case .expectsNothing: .empty
        case .notADate: .date
        case .computedAnswer: .computedAnswer
        case .answerNotAsked, .notAskedNotAQuestion, .unknownFact: .unknownFact
        case .outcomeNotText: .outcome
        case .unknownOutcome: .unknownOutcome
        case .value, .unknownItemField: .value
        case .unknownLanguage: .language
        }
    }

    public var message: String {
        switch self {
        case .shape(let sentence):
            "\(sentence)"
        case .noCases:
            "the file has no cases"
        case .unknownFileKey(let key):
            "unknown key '\(key)' (a scenario file has 'today' and 'cases')"
        case .unknownCaseKey(let key, let known, let suggestion):
            "unknown key '\(key)' in a case (known: \(known.joined(separator: ", ")))\(didYouMean(suggestion))"
        case .noName:
            "a case needs a 'name' saying what it shows"
        case .noToday:
            "a case needs 'today' (the date of the consultation, YYYY-MM-DD), here or at the top of the file"
        case .noAnswers:
            "a case needs 'answers': a mapping of facts as `consult run` takes them, with topic"
        case .outcomesAndOutcomesInclude:
            "give 'outcomes' (exactly these) or 'outcomes_include' (at least these), not both"
        case .expectsNothing:
            "the case expects nothing: add outcomes, outcomes_include, facts, not_asked or explanation"
        case .notADate(let field):
            "'\(field)' must be a date written YYYY-MM-DD"
        case .computedAnswer(let fact):
            "'\(fact)' is computed by the consultation, not answered: expect it under 'facts'"
        case .answerNotAsked(let fact, let suggestion):
            "no question asks '\(fact)'\(didYouMean(suggestion))"
        case .notAskedNotAQuestion(let fact):
            "'not_asked' lists questions' facts; no question asks '\(fact)'"
        case .unknownFact(let fact, let suggestion):
            "no dialog asks or computes '\(fact)'\(didYouMean(suggestion))"
        case .outcomeNotText:
            "an outcome is its ID"
        case .unknownOutcome(let id, let suggestion):
            "no dialog has the outcome '\(id)'\(didYouMean(suggestion))"
        case .value(let fact, let shouldBe):
            "'\(fact)' is \(shouldBe)"
        case .unknownItemField(let group, let field, let fields):
            "an item of '\(group)' has no field '\(field)' (fields: \(fields.joined(separator: ", ")))"
        case .unknownLanguage(let language, let available):
            "there is no locale '\(language)' (available: \(available.joined(separator: ", ")))"
        }
    }
}
