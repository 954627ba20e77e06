import ConsultEngine
import ConsultLocalization
import Foundation

/// What one scenario gave: the run, and each expectation that did not hold.
public struct ScenarioResult: Sendable {
    public let scenario: Scenario
    /// nil when the answers could not be walked (see `failures`).
    public let run: HeadlessRun?
    public let failures: [Failure]

    public var passed: Bool { failures.isEmpty }

    /// An expectation that did not hold, or answers that cannot be used.
    public struct Failure: Sendable, Equatable {
        /// What was checked: "outcomes", "fact grace_days_left", "explanation (ru)", …
        public let what: String
        public let expected: String
        public let actual: String
        /// A problem in the scenario's answers themselves, at its place.
        public let location: SourceLocation?
    }
}

/// Runs scenarios through `consult run`'s logic and compares what follows with what they expect.
public enum ScenarioRunner {
    public static func run(_ scenario: Scenario, content: Content) -> ScenarioResult {
        let run: HeadlessRun
        do {
            run = try HeadlessRun.run(content, facts: scenario.answers, in: scenario.file, today: scenario.today)
        } catch {
            return ScenarioResult(
                scenario: scenario, run: nil,
                failures: [
                    .init(
                        what: "answers", expected: "answers a consultation accepts", actual: error.message,
                        location: error.location)
                ])
        }
        var failures: [ScenarioResult.Failure] = []
        func fail(_ what: String, _ expected: String, _ actual: String) {
            failures.append(.init(what: what, expected: expected, actual: actual, location: nil))
        }
        if !run.isComplete {
            fail(
                "answers", "every question on the way answered", "no answer for \(run.missing.joined(separator: ", "))")
        }
        let reached = run.outcomes.map(\.id)
        switch scenario.outcomes {
        case .exactly(let ids) where ids != reached:
            fail("outcomes", list(ids), list(reached))
        case .including(let ids) where !ids.allSatisfy(reached.contains):
            let absent = ids.filter { !reached.contains($0) }
            fail("outcomes", "including \(list(ids))", "\(list(reached)) (without \(absent.joined(separator: ", ")))")
        default:
            break
        }
        for expectation in scenario.facts {
            let actual = run.facts[expectation.fact]
            guard let expected = expectation.value else {
                if let actual { fail("fact \(expectation.fact)", "not set", describe(actual)) }
                continue
            }
            guard let actual else {
                fail("fact \(expectation.fact)", describe(expected), "not set")
                continue
            }
            if !matches(actual, expected) { fail("fact \(expectation.fact)", describe(expected), describe(actual)) }
        }
        for fact in scenario.notAsked where run.facts[fact] != nil || run.missing.contains(fact) {
            let answer = run.facts[fact].map { "asked (answered \(describe($0)))" } ?? "asked"
            fail("question \(fact)", "not asked", answer)
        }
        var texts: [String: String] = [:]
        for p in scenario.explanation {
            let text =
                texts[p.language]
                ?? OutcomeText.render(
                    run.outcomes, environment: run.environment,
                    presenter: Presenter(content: content, language: p.language))
            texts[p.language] = text
            if !normalised(text).contains(normalised(p.phrase)) {
                fail("explanation (\(p.language))", "contains \"\(p.phrase)\"", text)
            }
        }
        return ScenarioResult(scenario: scenario, run: run, failures: failures)
    }

    /// Spaces of any kind (no-break spaces of the typography rule, line breaks) count as one space.
    static func normalised(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func list(_ ids: [String]) -> String { "[\(ids.joined(separator: ", "))]" }

    static func matches(_ actual: Value, _ expected: Scenario.ExpectedValue) -> Bool {
        switch expected {
        case .value(let v):
            return actual == v
        case .items(let items):
            guard case .list(let records) = actual, records.count == items.count else { return false }
            return zip(records, items).allSatisfy { record, fields in
                fields.allSatisfy { name, e in record[name].map { matches($0, e) } ?? false }
            }
        }
    }

    /// A value as a scenario file writes it.
    public static func describe(_ v: Value) -> String {
        switch v {
        case .bool(let b): return b ? "yes" : "no"
        case .int(let n): return String(n)
        case .date(let d): return d.description
        case .text(let s): return "\"\(s)\""
        case .choice(let c): return c
        case .list(let records):
            let items = records.map { r in
                "{"
                    + r.fields.sorted { $0.key < $1.key }.map { "\($0.key): \(describe($0.value))" }.joined(
                        separator: ", ") + "}"
            }
            return "[\(items.joined(separator: ", "))]"
        }
    }

    static func describe(_ e: Scenario.ExpectedValue) -> String {
        switch e {
        case .value(let v): return describe(v)
        case .items(let items):
            let written = items.map { fields in
                "{"
                    + fields.sorted { $0.key < $1.key }.map { "\($0.key): \(describe($0.value))" }.joined(
                        separator: ", ") + "}"
            }
            return "[\(written.joined(separator: ", "))]"
        }
    }
}

/// What no scenario reaches: outcome steps, conditions never true or never false, messages never shown.
public struct ScenarioCoverage: Sendable {
    public struct Gap: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case outcome, neverTrue = "never true", neverFalse = "never false", message
        }
        public let kind: Kind
        public let location: SourceLocation
        /// The outcome ID, the condition, or the message key.
        public let subject: String
    }

    public let gaps: [Gap]
    /// Dialogs no scenario walks (e.g. the intake and the closing: scenarios start at a topic's dialog).
    public let notWalked: [String]

    public init(content: Content, results: [ScenarioResult]) {
        let set = content.dialogs
        var trueSeen = Set<Walk.Location>()
        var falseSeen = Set<Walk.Location>()
        var outcomesSeen = Set<Walk.Location>()
        var messagesSeen = Set<MessageKey>()
        var walked = Set<Int>()
        for result in results {
            guard let run = result.run else { continue }
            for (location, status) in run.statuses {
                walked.insert(location.dialog)
                switch status {
                case .onPath: trueSeen.insert(location)
                case .skipped: falseSeen.insert(location)
                case .maybe: break
                }
                guard status == .onPath else { continue }
                let step = set.dialogs[location.dialog].nodes[location.step]
                switch step.kind {
                case .say(let key):
                    messagesSeen.insert(key)
                case .ask(let q):
                    messagesSeen.insert(q.prompt)
                    if case .group(let g) = q.kind, case .list(let items)? = run.facts[q.fact], !items.isEmpty {
                        messagesSeen.formUnion([g.more, g.item] + g.fields.map(\.prompt))
                    }
                case .outcome(let o) where run.outcomes.contains(o):
                    outcomesSeen.insert(location)
                    messagesSeen.insert(o.explain)
                    messagesSeen.formUnion(o.confirm)
                default:
                    break
                }
            }
        }
        var gaps: [Gap] = []
        for d in walked.sorted() {
            let dialog = set.dialogs[d]
            for (s, step) in dialog.nodes.enumerated() {
                let location = Walk.Location(dialog: d, step: s)
                if case .outcome(let o) = step.kind, !outcomesSeen.contains(location) {
                    gaps.append(Gap(kind: .outcome, location: step.location, subject: "\(o.id) (\(o.explain))"))
                }
                if let when = step.when {
                    if !trueSeen.contains(location) {
                        gaps.append(Gap(kind: .neverTrue, location: step.location, subject: when.infix))
                    }
                    if !falseSeen.contains(location) {
                        gaps.append(Gap(kind: .neverFalse, location: step.location, subject: when.infix))
                    }
                }
                var keys: [MessageKey] = []
                switch step.kind {
                case .say(let key): keys = [key]
                case .ask(let q):
                    keys = [q.prompt]
                    if case .group(let g) = q.kind { keys += [g.more, g.item] + g.fields.map(\.prompt) }
                case .outcome(let o): keys = [o.explain] + o.confirm
                default: break
                }
                for key in keys where !messagesSeen.contains(key) {
                    gaps.append(Gap(kind: .message, location: step.location, subject: key.rawValue))
                }
            }
        }
        // A message used by two steps is reached when either is: report it once.
        var reported = Set<String>()
        self.gaps = gaps.filter { $0.kind != .message || reported.insert($0.subject).inserted }
        notWalked = set.dialogs.indices.filter { !walked.contains($0) }.map { set.dialogs[$0].name }
    }
}
