import ConsultEngine
import ConsultLocalization
import Foundation

/// One case of a scenario file (`dialogs/tests/*.yaml`): a date, the answers, and what must follow.
///
/// The answers are walked by `consult run`'s own logic (`HeadlessRun`), so a scenario checks
/// exactly what `consult run` and a consultation would do with them.
/// Unchecked: every field is immutable; the YAML nodes (values with an immutable tag) are only read.
public struct Scenario: @unchecked Sendable {
    public let name: String
    /// Where the case starts in its file: failures are reported there.
    public let location: SourceLocation
    public let today: LocalDate
    /// The answers, as a facts file for `consult run` has them (with `topic`).
    let answers: Node
    let file: YAMLFile
    public let outcomes: OutcomeExpectation?
    public let facts: [FactExpectation]
    public let notAsked: [String]
    public let explanation: [PhraseExpectation]

    public enum OutcomeExpectation: Sendable {
        /// These outcomes and no others, in this order.
        case exactly([String])
        /// At least these outcomes, in any order.
        case including([String])
    }

    public struct FactExpectation: Sendable {
        public let fact: String
        /// nil: the fact must not be set.
        let value: ExpectedValue?
    }

    public struct PhraseExpectation: Sendable {
        public let language: String
        public let phrase: String
    }

    /// An expected value, read against the fact's type.
    indirect enum ExpectedValue: Sendable {
        case value(Value)
        /// A list of items, each given with some of its fields.
        case items([[String: ExpectedValue]])
    }
}

/// A scenario file's problems are located diagnostics; its cases are what could be read.
public struct ScenarioFile: Sendable {
    public let path: String
    public let scenarios: [Scenario]
}

/// Reads scenario files, checking every name against the content (facts, outcomes, languages).
public enum ScenarioLoader {
    static let caseKeys = [
        "name", "today", "answers", "outcomes", "outcomes_include", "facts", "not_asked", "explanation",
    ]

    /// Every `*.yaml` of a folder, sorted, or the files given.
    public static func files(in paths: [String], defaultFolder: URL) -> [URL] {
        let targets = paths.isEmpty ? [defaultFolder.path] : paths
        var urls: [URL] = []
        for path in targets {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                urls += names.map { URL(fileURLWithPath: path).appendingPathComponent($0) }
            } else {
                urls.append(URL(fileURLWithPath: path))
            }
        }
        return urls
    }

    public static func load(_ url: URL, content: Content, into diagnostics: inout [Diagnostic]) -> ScenarioFile? {
        guard let file = YAMLFile.load(url, displayPath: Linter.displayPath(url), into: &diagnostics) else {
            return nil
        }
        return load(file, content: content, into: &diagnostics)
    }

    public static func load(_ file: YAMLFile, content: Content, into diagnostics: inout [Diagnostic]) -> ScenarioFile {
        var reader = Reader(file: file, content: content)
        let scenarios = reader.read()
        diagnostics += reader.diagnostics
        return ScenarioFile(path: file.path, scenarios: scenarios)
    }

    struct Reader {
        let file: YAMLFile
        let content: Content
        var diagnostics: [Diagnostic] = []

        mutating func error(_ node: Node?, _ problem: ScenarioProblem) {
            diagnostics.append(Diagnostic(file.location(node), problem))
        }

        mutating func read() -> [Scenario] {
            guard let root = file.root, case .mapping(let top) = root else {
                error(
                    file.root,
                    .shape("a scenario file is a mapping with 'cases' (a list of cases) and optionally 'today'"))
                return []
            }
            var defaultToday: LocalDate?
            var cases: [Node] = []
            for (k, v) in top {
                switch k.scalarText {
                case "today": defaultToday = date(v, "today")
                case "cases":
                    guard case .sequence(let items) = v else {
                        error(v, .shape("'cases' is a list: each case starts with '- name:'"))
                        continue
                    }
                    cases = Array(items)
                default:
                    error(k, .unknownFileKey(k.scalarText ?? ""))
                }
            }
            if cases.isEmpty, diagnostics.isEmpty {
                error(root, .noCases)
            }
            return cases.compactMap { readCase($0, defaultToday: defaultToday) }
        }

        mutating func readCase(_ node: Node, defaultToday: LocalDate?) -> Scenario? {
            guard case .mapping(let m) = node else {
                error(node, .shape("a case is a mapping with name, today, answers and what must follow"))
                return nil
            }
            let before = diagnostics.count
            var fields: [String: Node] = [:]
            var keys: [String: Node] = [:]
            for (k, v) in m {
                guard let name = k.scalarText else { continue }
                guard ScenarioLoader.caseKeys.contains(name) else {
                    error(
                        k,
                        .unknownCaseKey(
                            name, known: ScenarioLoader.caseKeys,
                            suggestion: closest(to: name, in: ScenarioLoader.caseKeys)))
                    continue
                }
                fields[name] = v
                keys[name] = k
            }
            let name = fields["name"]?.scalarText ?? ""
            if name.isEmpty { error(node, .noName) }
            var today = defaultToday
            if let t = fields["today"] { today = date(t, "today") }
            if today == nil, fields["today"] == nil {
                error(node, .noToday)
            }
            guard let answers = fields["answers"], case .mapping = answers else {
                error(fields["answers"] ?? node, .noAnswers)
                return nil
            }
            checkAnswerNames(answers)
            if fields["outcomes"] != nil, let k = keys["outcomes_include"] {
                error(k, .outcomesAndOutcomesInclude)
            }
            var outcomes: Scenario.OutcomeExpectation?
            if let o = fields["outcomes"] { outcomes = .exactly(outcomeIDs(o)) }
            if let o = fields["outcomes_include"] { outcomes = .including(outcomeIDs(o)) }
            var facts: [Scenario.FactExpectation] = []
            if let f = fields["facts"] { facts = factExpectations(f) }
            var notAsked: [String] = []
            if let n = fields["not_asked"] { notAsked = notAskedFacts(n) }
            var explanation: [Scenario.PhraseExpectation] = []
            if let e = fields["explanation"] { explanation = phrases(e) }
            if outcomes == nil, facts.isEmpty, notAsked.isEmpty, explanation.isEmpty {
                error(node, .expectsNothing)
            }
            guard diagnostics.count == before, let today else { return nil }
            return Scenario(
                name: name, location: file.location(node), today: today, answers: answers, file: file,
                outcomes: outcomes, facts: facts, notAsked: notAsked, explanation: explanation)
        }

        mutating func date(_ node: Node, _ what: String) -> LocalDate? {
            guard let s = node.scalarText, s.count == 10, s.contains("-"), let d = LocalDate(parsing: s) else {
                error(node, .notADate(field: what))
                return nil
            }
            return d
        }

        /// A misspelt answer would silently change the way: every name must be a question's fact.
        mutating func checkAnswerNames(_ answers: Node) {
            guard case .mapping(let m) = answers else { return }
            let set = content.dialogs
            for (k, _) in m {
                guard let name = k.scalarText else { continue }
                if set.question(for: name) != nil { continue }
                if set.factTypes[name] != nil {
                    error(k, .computedAnswer(name))
                } else {
                    let questions = set.dialogs.flatMap { $0.nodes }.compactMap { step -> String? in
                        if case .ask(let q) = step.kind { return q.fact }
                        return nil
                    }
                    error(k, .answerNotAsked(name, suggestion: closest(to: name, in: questions)))
                }
            }
        }

        mutating func list(_ node: Node, _ what: String) -> [Node] {
            switch node {
            case .sequence(let items): return Array(items)
            case .scalar: return [node]
            default:
                error(node, .shape("'\(what)' is a list, e.g. [a, b]"))
                return []
            }
        }

        mutating func outcomeIDs(_ node: Node) -> [String] {
            let known = Set(content.dialogs.outcomes.map(\.id))
            var ids: [String] = []
            for item in list(node, "outcomes") {
                guard let id = item.scalarText else {
                    error(item, .outcomeNotText)
                    continue
                }
                if !known.contains(id) {
                    error(item, .unknownOutcome(id, suggestion: closest(to: id, in: Array(known))))
                }
                ids.append(id)
            }
            return ids
        }

        mutating func notAskedFacts(_ node: Node) -> [String] {
            var facts: [String] = []
            for item in list(node, "not_asked") {
                guard let name = item.scalarText, content.dialogs.question(for: name) != nil else {
                    error(item, .notAskedNotAQuestion(item.scalarText ?? ""))
                    continue
                }
                facts.append(name)
            }
            return facts
        }

        mutating func factExpectations(_ node: Node) -> [Scenario.FactExpectation] {
            guard case .mapping(let m) = node else {
                error(node, .shape("'facts' is a mapping of fact names to the values they must have (~ for not set)"))
                return []
            }
            var out: [Scenario.FactExpectation] = []
            for (k, v) in m {
                guard let name = k.scalarText else { continue }
                guard let type = content.dialogs.factTypes[name] else {
                    error(
                        k, .unknownFact(name, suggestion: closest(to: name, in: Array(content.dialogs.factTypes.keys))))
                    continue
                }
                if Self.isNull(v) {
                    out.append(.init(fact: name, value: nil))
                } else if let value = expected(v, type: type, name: name) {
                    out.append(.init(fact: name, value: value))
                }
            }
            return out
        }

        static func isNull(_ node: Node) -> Bool {
            guard case .scalar(let s) = node, s.style == .plain || s.style == .any else { return false }
            return ["~", "null", ""].contains(s.string)
        }

        mutating func expected(_ node: Node, type: ValueType, name: String) -> Scenario.ExpectedValue? {
            func fail(_ what: String) -> Scenario.ExpectedValue? {
                error(node, .value(fact: name, shouldBe: what))
                return nil
            }
            if case .list(let record) = type {
                guard case .sequence(let items) = node else {
                    return fail("a list of items, e.g. [{relation: spouse, included: true}]")
                }
                var out: [[String: Scenario.ExpectedValue]] = []
                for item in items {
                    guard case .mapping(let m) = item else { return fail("a list of mappings, one per item") }
                    var fields: [String: Scenario.ExpectedValue] = [:]
                    for (k, v) in m {
                        guard let f = k.scalarText, let field = record.field(f) else {
                            error(
                                k,
                                .unknownItemField(
                                    group: name, field: k.scalarText ?? "", fields: record.fields.map(\.name)))
                            continue
                        }
                        if let e = expected(v, type: field.type, name: "\(name).\(f)") { fields[f] = e }
                    }
                    out.append(fields)
                }
                return .items(out)
            }
            guard let s = node.scalarText else { return fail("a single value") }
            switch type {
            case .bool:
                switch s.lowercased() {
                case "yes", "true": return .value(.bool(true))
                case "no", "false": return .value(.bool(false))
                default: return fail("yes or no")
                }
            case .int:
                guard let n = Int(s) else { return fail("a whole number") }
                return .value(.int(n))
            case .date:
                guard s.count == 10, s.contains("-"), let d = LocalDate(parsing: s) else {
                    return fail("a date written YYYY-MM-DD")
                }
                return .value(.date(d))
            case .choice(let values):
                guard values.contains(s) else { return fail("one of \(values.sorted().joined(separator: ", "))") }
                return .value(.choice(s))
            case .text:
                return .value(.text(s))
            case .list:
                return nil
            }
        }

        mutating func phrases(_ node: Node) -> [Scenario.PhraseExpectation] {
            guard case .mapping(let m) = node else {
                error(node, .shape("'explanation' is a mapping of languages to phrases, e.g. es: [\"quedan 15 días\"]"))
                return []
            }
            var out: [Scenario.PhraseExpectation] = []
            for (k, v) in m {
                guard let language = k.scalarText, content.localizer.catalogs[language] != nil else {
                    error(k, .unknownLanguage(k.scalarText ?? "", available: content.localizer.languages))
                    continue
                }
                for item in list(v, "explanation.\(language)") {
                    guard let phrase = item.scalarText, !phrase.isEmpty else {
                        error(item, .shape("a phrase is text"))
                        continue
                    }
                    out.append(.init(language: language, phrase: phrase))
                }
            }
            return out
        }
    }
}
