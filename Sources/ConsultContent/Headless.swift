import ConsultEngine
import ConsultLocalization
import Foundation

/// A facts file that cannot be used: the fact, where it stands, and what was expected.
public struct FactsError: Error, CustomStringConvertible, Sendable {
    public let location: SourceLocation
    public let fact: String?
    public let message: String

    public var description: String { "\(location): error: \(message)" }
}

/// `consult run`: walks a topic's dialog with answers from a file, asking nothing.
public struct HeadlessRun: Sendable {
    public let outcomes: [OutcomeStep]
    /// Answers on the way and computed facts, by name.
    public let facts: [String: Value]
    /// Questions on the way that the file does not answer, in order.
    public let missing: [String]
    /// Names in the file that no dialog asks (reported, never used).
    public let unknown: [String]
    /// Names in the file that the consultation computes itself (reported, never used).
    public let computed: [String]
    public let environment: Environment
    /// Every step the walk passed, with whether it was on the way (for `consult test --coverage`).
    public var statuses: [Walk.Location: Walk.Status] = [:]

    public var isComplete: Bool { missing.isEmpty }

    public static func run(_ content: Content, facts file: YAMLFile, today: LocalDate) throws(FactsError) -> HeadlessRun
    {
        try run(content, facts: file.root, in: file, today: today)
    }

    /// Walks with the facts in `root`, a mapping inside `file` (a whole facts file, or a scenario's answers).
    /// With `coverage` false the steps passed are not recorded (`statuses` stays empty): `run --batch`.
    public static func run(
        _ content: Content, facts root: Node?, in file: YAMLFile, today: LocalDate,
        coverage: Bool = true
    ) throws(FactsError) -> HeadlessRun {
        let set = content.dialogs
        func fail(_ node: Node?, _ fact: String?, _ message: String) -> FactsError {
            FactsError(location: file.location(node), fact: fact, message: message)
        }
        guard let root, case .mapping(let mapping) = root else {
            throw fail(root, nil, "a facts file is a mapping of fact names to values, e.g. has_vks_work_permit: issued")
        }
        var answers: [String: Value] = [:]
        var nodes: [String: Node] = [:]
        var unknown: [String] = []
        var computed: [String] = []
        for (k, v) in mapping {
            guard let name = k.scalarText else { throw fail(k, nil, "a fact name must be plain text") }
            guard nodes[name] == nil else { throw fail(k, name, "'\(name)' is given twice") }
            nodes[name] = v
            guard let question = set.question(for: name) else {
                if set.factTypes[name] != nil { computed.append(name) } else { unknown.append(name) }
                continue
            }
            answers[name] = try value(v, for: question, file: file, today: today)
        }

        // The fact naming the topic, and thus the dialog to walk (the start dialog's `roles: topic`).
        guard let topicFact = set.roles.topic else {
            throw fail(
                root, nil,
                "the content names no topic fact (the start dialog's 'roles: topic'), so there is no dialog to walk")
        }
        guard case .choice(let topic)? = answers[topicFact] else {
            return HeadlessRun(
                outcomes: [], facts: [:], missing: [topicFact], unknown: unknown, computed: computed,
                environment: Environment(today: today))
        }
        guard let dialog = set.dialogIndex(named: topic) else {
            throw fail(nodes[topicFact], topicFact, "no dialog for the topic '\(topic)'")
        }
        let walk: Walk
        do {
            walk = try Walk(
                set, answers: answers, today: today, start: dialog, followNext: false, recordStatuses: coverage)
        } catch {
            throw fail(nodes[topicFact], topicFact, "the dialogs cannot be walked: \(error)")
        }
        // Date bounds ("not in the future") hold for files as for typed answers.
        for fact in walk.answeredOnPath {
            guard case .date(let minE, let maxE)? = set.question(for: fact)?.kind, case .date(let d)? = answers[fact]
            else { continue }
            if let minE, case .value(.date(let min)) = Evaluator.evaluate(minE, in: walk.environment), d < min {
                throw fail(nodes[fact], fact, "'\(fact)' must be on or after \(min), found \(d)")
            }
            if let maxE, case .value(.date(let max)) = Evaluator.evaluate(maxE, in: walk.environment), d > max {
                throw fail(nodes[fact], fact, "'\(fact)' must be on or before \(max), found \(d)")
            }
        }
        var facts: [String: Value] = [:]
        for fact in walk.answeredOnPath { facts[fact] = answers[fact] }
        for (name, binding) in walk.environment.bindings where name != "today" && set.question(for: name) == nil {
            if case .value(let v) = binding { facts[name] = v }
        }
        var run = HeadlessRun(
            outcomes: walk.isComplete ? walk.outcomes : [], facts: facts, missing: walk.missing,
            unknown: unknown, computed: computed, environment: walk.environment)
        run.statuses = walk.statuses
        return run
    }

    /// Reads one answer from the file, checked against its question.
    static func value(
        _ node: Node, for question: Question, file: YAMLFile, prefix: String = "", today: LocalDate
    ) throws(FactsError) -> Value {
        let name = prefix + question.fact
        func fail(_ expected: String) -> FactsError {
            let found: String
            if let s = node.scalarText {
                found = s.isEmpty ? "nothing" : "\"\(s)\""
            } else {
                found = node.kindDescription
            }
            return FactsError(
                location: file.location(node), fact: name, message: "'\(name)' must be \(expected), found \(found)")
        }
        switch question.kind {
        case .yesNo:
            guard let s = node.scalarText?.lowercased() else { throw fail("yes or no (true/false)") }
            switch s {
            case "true", "yes": return .bool(true)
            case "false", "no": return .bool(false)
            default: throw fail("yes or no (true/false)")
            }
        case .choice(let choices):
            guard let s = node.scalarText, let c = choices.first(where: { $0.value == s }) else {
                throw fail("one of \(choices.map(\.value).joined(separator: ", "))")
            }
            return .choice(c.value)
        case .number(let min, let max):
            guard let s = node.scalarText, let n = Int(s) else { throw fail("a whole number from \(min) to \(max)") }
            guard (min...max).contains(n) else { throw fail("a whole number from \(min) to \(max)") }
            return .int(n)
        case .date:
            guard let s = node.scalarText, s.count == 10, let d = LocalDate(parsing: s), s.contains("-") else {
                throw fail("a date written YYYY-MM-DD")
            }
            return .date(d)
        case .text(let maxLength, let optional, let format):
            guard let s = node.scalarText else { throw fail("text") }
            guard s.count <= maxLength else { throw fail("text of at most \(maxLength) characters") }
            if !(optional && s.isEmpty), let format,
                case .failure = AnswerParser.parse(
                    s, as: .text(maxLength: maxLength, optional: optional, format: format), vocabulary: NoWords())
            {
                throw fail(
                    format == .phone
                        ? "a phone number such as +7 916 123-45-67" : "an e-mail address such as name@example.com")
            }
            return .text(s)
        case .group(let group):
            guard case .sequence(let items) = node else {
                throw fail(
                    "a list of items, each with \(group.fields.map(\.fact).joined(separator: " and ")) (an empty list [] for none)"
                )
            }
            guard items.count <= group.maxItems else { throw fail("a list of at most \(group.maxItems) items") }
            var records: [Record] = []
            for (index, item) in items.enumerated() {
                let itemName = "\(name)[\(index)]"
                guard case .mapping(let m) = item else {
                    throw FactsError(
                        location: file.location(item), fact: itemName,
                        message:
                            "'\(itemName)' must be a mapping with \(group.fields.map(\.fact).joined(separator: " and "))"
                    )
                }
                var record = Record()
                for (k, v) in m {
                    guard let field = k.scalarText else { continue }
                    if let question = group.fields.first(where: { $0.fact == field }) {
                        record[field] = try value(v, for: question, file: file, prefix: "\(itemName).", today: today)
                    } else if !group.recordType.fields.contains(where: { $0.name == field }) {
                        throw FactsError(
                            location: file.location(k), fact: itemName,
                            message:
                                "'\(itemName)' has no field '\(field)' (expected \(group.fields.map(\.fact).joined(separator: ", ")))"
                        )
                    }
                }
                for field in group.fields where record[field.fact] == nil {
                    throw FactsError(
                        location: file.location(item), fact: itemName,
                        message:
                            "'\(itemName)' lacks '\(field.fact)' (each item needs \(group.fields.map(\.fact).joined(separator: " and ")))"
                    )
                }
                records.append(group.complete(record, today: today))
            }
            return .list(records)
        }
    }
}

/// Parsing a text answer needs no words of any language.
struct NoWords: AnswerVocabulary {
    var yesWords: [String] { [] }
    var noWords: [String] { [] }
    func label(_ key: MessageKey) -> String { "" }
}
