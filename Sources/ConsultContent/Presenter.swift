import ConsultEngine
import ConsultLocalization

/// Writes what the engine knows in one language: prompts, choices, answers, problems, outcomes.
/// Every sentence comes from the locale files; this type only decides which message and which values.
public struct Presenter: Sendable {
    public let content: Content
    public let language: String

    public init(content: Content, language: String) {
        self.content = content
        self.language = language
    }

    public func text(_ key: MessageKey, _ arguments: [String: Argument] = [:]) -> String {
        content.localizer.text(key, language: language) { arguments[$0] }
    }

    /// A message whose placeholders are facts of the consultation.
    public func text(_ key: MessageKey, facts env: Environment) -> String {
        content.localizer.text(key, language: language) { name in
            env.value(name).map { argument($0, fact: name) }
        }
    }

    public var vocabulary: Localizer.Vocabulary { content.localizer.vocabulary(language) }

    // MARK: Values

    /// A fact's value as the applicant reads it (a long date, a choice's label, the yes word of the language).
    public func format(_ value: Value, fact: String) -> String {
        switch argument(value, fact: fact) {
        case .number(let n): return content.localizer.catalog(language)?.formatNumber(n) ?? String(n)
        case .date(let d): return content.localizer.catalog(language)?.formatDate(d) ?? d.description
        // An optional question left empty reads "none", not a blank after the colon.
        case .text(let s): return s.isEmpty ? text("value.empty") : s
        case .choice(_, let s): return s
        case .list(let items): return content.localizer.catalog(language)?.join(items) ?? items.joined(separator: ", ")
        }
    }

    public func argument(_ value: Value, fact: String) -> Argument {
        argument(value, choices: choices(forFact: fact), group: groupRecord(forFact: fact))
    }

    private func argument(_ value: Value, choices: [Choice]?, group: (RecordType, Group)?) -> Argument {
        switch value {
        case .bool(let b):
            return .choice(value: b ? "yes" : "no", text: text(b ? "value.yes" : "value.no"))
        case .int(let n):
            return .number(n)
        case .date(let d):
            return .date(d)
        case .text(let s):
            return .text(s)
        case .choice(let v):
            let label = (choices ?? anyChoices(with: v)).first { $0.value == v }?.label
            return .choice(value: v, text: label.map { text($0) } ?? v)
        case .list(let items):
            guard !items.isEmpty else { return .text(text("value.none")) }
            guard let (record, group) = group else { return .list(items.map { "\($0.fields.count)" }) }
            return .list(items.map { item($0, record: record, group: group) })
        }
    }

    /// One item of a group, written with the group's `item` message.
    public func item(_ record: Record, record type: RecordType, group: Group) -> String {
        content.localizer.text(type.itemMessage, language: language) { name in
            guard let v = record[name] else { return nil }
            let field = group.fields.first { $0.fact == name }
            var choices: [Choice]? = nil
            if case .choice(let c)? = field?.kind { choices = c }
            return argument(v, choices: choices, group: nil)
        }
    }

    private func choices(forFact fact: String) -> [Choice]? {
        if case .choice(let c)? = content.dialogs.question(for: fact)?.kind { return c }
        return nil
    }

    private func anyChoices(with value: String) -> [Choice] {
        for d in content.dialogs.dialogs {
            for step in d.nodes {
                guard case .ask(let q) = step.kind else { continue }
                if case .choice(let c) = q.kind, c.contains(where: { $0.value == value }) { return c }
                if case .group(let g) = q.kind {
                    for f in g.fields {
                        if case .choice(let c) = f.kind, c.contains(where: { $0.value == value }) { return c }
                    }
                }
            }
        }
        return []
    }

    private func groupRecord(forFact fact: String) -> (RecordType, Group)? {
        guard case .list(let record)? = content.dialogs.factTypes[fact],
            case .group(let group)? = content.dialogs.question(for: record.group)?.kind
        else { return nil }
        return (record, group)
    }

    // MARK: Prompts

    /// The question as shown: its message with the facts known so far.
    public func prompt(_ prompt: Consultation.Prompt, facts env: Environment) -> String {
        text(prompt.message, facts: env)
    }

    /// The options of a choice, in order (numbered by the front end).
    public func choiceLabels(_ expected: Expected) -> [String] {
        guard case .choice(let choices) = expected else { return [] }
        return choices.map { text($0.label) }
    }

    /// What form the answer takes ("DD.MM.YYYY", "yes / no", "0–120" in the session's language), nil for a choice.
    public func hint(_ expected: Expected) -> String? {
        switch expected {
        case .yesNo: return text("hint.yesno")
        case .choice: return nil
        case .number(let min, let max): return text("hint.number", ["min": .number(min), "max": .number(max)])
        case .date: return text("hint.date")
        case .text(let maxLength, let optional, _):
            let base = text("hint.text", ["max_length": .number(maxLength)])
            return optional ? "\(base); \(text("hint.optional"))" : base
        }
    }

    /// Why an answer was not accepted, and what is expected instead.
    public func problem(_ problem: AnswerProblem) -> String {
        switch problem {
        case .empty: return text("answer.empty")
        case .expectedYesNo: return text("answer.expected_yesno")
        case .expectedChoice(let choices):
            return text(
                "answer.expected_choice",
                ["choices": .list(choices.enumerated().map { "\($0.offset + 1) — \(text($0.element.label))" })])
        case .ambiguousChoice(let choices):
            return text("answer.ambiguous_choice", ["candidates": .list(choices.map { text($0.label) })])
        case .expectedNumber(let min, let max):
            return text("answer.expected_number", ["min": .number(min), "max": .number(max)])
        case .numberOutOfRange(let min, let max):
            return text("answer.number_out_of_range", ["min": .number(min), "max": .number(max)])
        case .expectedDate: return text("answer.expected_date")
        case .ambiguousDate(let dayFirst, let monthFirst):
            return text("answer.ambiguous_date", ["day_first": .date(dayFirst), "month_first": .date(monthFirst)])
        case .dateTooEarly(let min): return text("answer.date_too_early", ["min": .date(min)])
        case .dateTooLate(let max): return text("answer.date_too_late", ["max": .date(max)])
        case .textTooLong(let n): return text("answer.text_too_long", ["max_length": .number(n)])
        case .tooManyItems(let n): return text("answer.too_many_items", ["max_items": .number(n)])
        case .expectedPhone: return text("answer.expected_phone")
        case .expectedEmail: return text("answer.expected_email")
        }
    }

    // MARK: Outcomes

    /// An outcome's explanation, followed by the points the lawyer will confirm.
    public func explanation(_ outcome: OutcomeStep, facts env: Environment) -> (text: String, confirm: [String]) {
        (text(outcome.explain, facts: env), outcome.confirm.map { text($0, facts: env) })
    }

    public func factName(_ fact: String) -> String { text(SystemMessages.factName(fact)) }

    public func outcomeTitle(_ id: String) -> String { text(SystemMessages.outcomeTitle(id)) }
}

/// Texts written once for the applicant and, where they read differently for the lawyer, once
/// more for the lawyer: `KEY.lawyer` ("Does the applicant need…" beside "Do you need…").
public enum StaffAudience {
    /// The lawyer's version of `key`.
    public static func lawyerKey(_ key: MessageKey) -> MessageKey { MessageKey(key.rawValue + ".lawyer") }

    /// The key to show a lawyer: `KEY.lawyer` when the content has it, else `KEY`.
    public static func key(_ key: MessageKey, in content: Content, language: String) -> MessageKey {
        let lawyer = lawyerKey(key)
        let catalogs = [
            content.localizer.catalog(exactly: language),
            content.localizer.catalog(exactly: content.localizer.fallback),
        ]
        return catalogs.contains { $0?.messages[lawyer] != nil } ? lawyer : key
    }
}
