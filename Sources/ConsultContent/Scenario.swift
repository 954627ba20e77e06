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
    static let caseKeys = ["name", "today", "answers", "outcomes", "outcomes_include", "facts", "not_asked", "explanation"]

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
        guard let file = YAMLFile.load(url, displayPath: Linter.displayPath(url), into: &diagnostics) else { return nil }
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

        mutating func error(_ node: Node?, _ message: String, _ id: String) {
            diagnostics.append(Diagnostic(.error, file.location(node), message, id: id))
        }

        mutating func read() -> [Scenario] {
            guard let root = file.root, case .mapping(let top) = root else {
                error(file.root, "a scenario file is a mapping with 'cases' (a list of cases) and optionally 'today'", "scenario-shape")
                return []
            }
            var defaultToday: LocalDate?
            var cases: [Node] = []
            for (k, v) in top {
                switch k.scalarText {
                case "today": defaultToday = date(v, "today")
                case "cases":
                    guard case .sequence(let items) = v else {
                        error(v, "'cases' is a list: each case starts with '- name:'", "scenario-shape")
                        continue
                    }
                    cases = Array(items)
                default:
                    error(k, "unknown key '\(k.scalarText ?? "")' (a scenario file has 'today' and 'cases')", "scenario-key")
                }
            }
            if cases.isEmpty, diagnostics.isEmpty {
                error(root, "the file has no cases", "scenario-shape")
            }
            return cases.compactMap { readCase($0, defaultToday: defaultToday) }
        }

        mutating func readCase(_ node: Node, defaultToday: LocalDate?) -> Scenario? {
            guard case .mapping(let m) = node else {
                error(node, "a case is a mapping with name, today, answers and what must follow", "scenario-shape")
                return nil
            }
            let before = diagnostics.count
            var fields: [String: Node] = [:]
            var keys: [String: Node] = [:]
            for (k, v) in m {
                guard let name = k.scalarText else { continue }
                guard ScenarioLoader.caseKeys.contains(name) else {
                    let hint = closest(to: name, in: ScenarioLoader.caseKeys).map { "; did you mean '\($0)'?" } ?? ""
                    error(k, "unknown key '\(name)' in a case (known: \(ScenarioLoader.caseKeys.joined(separator: ", ")))\(hint)", "scenario-key")
                    continue
                }
                fields[name] = v
                keys[name] = k
            }
            let name = fields["name"]?.scalarText ?? ""
            if name.isEmpty { error(node, "a case needs a 'name' saying what it shows", "scenario-name") }
            var today = defaultToday
            if let t = fields["today"] { today = date(t, "today") }
            if today == nil, fields["today"] == nil {
                error(node, "a case needs 'today' (the date of the consultation, YYYY-MM-DD), here or at the top of the file", "scenario-today")
            }
            guard let answers = fields["answers"], case .mapping = answers else {
                error(fields["answers"] ?? node, "a case needs 'answers': a mapping of facts as `consult run` takes them, with topic", "scenario-answers")
                return nil
            }
            checkAnswerNames(answers)
            if fields["outcomes"] != nil, let k = keys["outcomes_include"] {
                error(k, "give 'outcomes' (exactly these) or 'outcomes_include' (at least these), not both", "scenario-outcomes")
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
                error(node, "the case expects nothing: add outcomes, outcomes_include, facts, not_asked or explanation", "scenario-empty")
            }
            guard diagnostics.count == before, let today else { return nil }
            return Scenario(name: name, location: file.location(node), today: today, answers: answers, file: file,
                            outcomes: outcomes, facts: facts, notAsked: notAsked, explanation: explanation)
        }

        mutating func date(_ node: Node, _ what: String) -> LocalDate? {
            guard let s = node.scalarText, s.count == 10, s.contains("-"), let d = LocalDate(parsing: s) else {
                error(node, "'\(what)' must be a date written YYYY-MM-DD", "scenario-date")
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
                    error(k, "'\(name)' is computed by the consultation, not answered: expect it under 'facts'", "scenario-computed-answer")
                } else {
                    let questions = set.dialogs.flatMap { $0.nodes }.compactMap { step -> String? in
                        if case .ask(let q) = step.kind { return q.fact }
                        return nil
                    }
                    let hint = closest(to: name, in: questions).map { "; did you mean '\($0)'?" } ?? ""
                    error(k, "no question asks '\(name)'\(hint)", "scenario-unknown-fact")
                }
            }
        }

        mutating func list(_ node: Node, _ what: String) -> [Node] {
            switch node {
            case .sequence(let items): return Array(items)
            case .scalar: return [node]
            default:
                error(node, "'\(what)' is a list, e.g. [a, b]", "scenario-shape")
                return []
            }
        }

        mutating func outcomeIDs(_ node: Node) -> [String] {
            let known = Set(content.dialogs.outcomes.map(\.id))
            var ids: [String] = []
            for item in list(node, "outcomes") {
                guard let id = item.scalarText else { error(item, "an outcome is its ID", "scenario-outcome"); continue }
                if !known.contains(id) {
                    let hint = closest(to: id, in: Array(known)).map { "; did you mean '\($0)'?" } ?? ""
                    error(item, "no dialog has the outcome '\(id)'\(hint)", "scenario-unknown-outcome")
                }
                ids.append(id)
            }
            return ids
        }

        mutating func notAskedFacts(_ node: Node) -> [String] {
            var facts: [String] = []
            for item in list(node, "not_asked") {
                guard let name = item.scalarText, content.dialogs.question(for: name) != nil else {
                    error(item, "'not_asked' lists questions' facts; no question asks '\(item.scalarText ?? "")'", "scenario-unknown-fact")
                    continue
                }
                facts.append(name)
            }
            return facts
        }

        mutating func factExpectations(_ node: Node) -> [Scenario.FactExpectation] {
            guard case .mapping(let m) = node else {
                error(node, "'facts' is a mapping of fact names to the values they must have (~ for not set)", "scenario-shape")
                return []
            }
            var out: [Scenario.FactExpectation] = []
            for (k, v) in m {
                guard let name = k.scalarText else { continue }
                guard let type = content.dialogs.factTypes[name] else {
                    let hint = closest(to: name, in: Array(content.dialogs.factTypes.keys)).map { "; did you mean '\($0)'?" } ?? ""
                    error(k, "no dialog asks or computes '\(name)'\(hint)", "scenario-unknown-fact")
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
                error(node, "'\(name)' is \(what)", "scenario-value")
                return nil
            }
            if case .list(let record) = type {
                guard case .sequence(let items) = node else { return fail("a list of items, e.g. [{relation: spouse, included: true}]") }
                var out: [[String: Scenario.ExpectedValue]] = []
                for item in items {
                    guard case .mapping(let m) = item else { return fail("a list of mappings, one per item") }
                    var fields: [String: Scenario.ExpectedValue] = [:]
                    for (k, v) in m {
                        guard let f = k.scalarText, let field = record.field(f) else {
                            error(k, "an item of '\(name)' has no field '\(k.scalarText ?? "")' (fields: \(record.fields.map(\.name).joined(separator: ", ")))", "scenario-value")
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
                guard s.count == 10, s.contains("-"), let d = LocalDate(parsing: s) else { return fail("a date written YYYY-MM-DD") }
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
                error(node, "'explanation' is a mapping of languages to phrases, e.g. es: [\"quedan 15 días\"]", "scenario-shape")
                return []
            }
            var out: [Scenario.PhraseExpectation] = []
            for (k, v) in m {
                guard let language = k.scalarText, content.localizer.catalogs[language] != nil else {
                    error(k, "there is no locale '\(k.scalarText ?? "")' (available: \(content.localizer.languages.joined(separator: ", ")))", "scenario-language")
                    continue
                }
                for item in list(v, "explanation.\(language)") {
                    guard let phrase = item.scalarText, !phrase.isEmpty else { error(item, "a phrase is text", "scenario-shape"); continue }
                    out.append(.init(language: language, phrase: phrase))
                }
            }
            return out
        }
    }
}
