import ConsultEngine
import ConsultLocalization
import Foundation

/// The consultation drawn as a flowchart: each dialog a box of its steps, in the order the walk
/// passes them. A step with a `when` hangs off a decision (its condition, written by `Expr.infix`)
/// whose "yes" edge goes through the step and whose "no" edge passes it by. Where the condition
/// only tests the answer to the question just asked, the decision is drawn as that question's
/// edges, labelled with the answer values (a paralegal reads "issued → when does it expire?").
/// Consecutive steps under the same condition share one decision.
///
/// Urgent outcomes: the content names its urgent fact in an `appointment: urgent:` block; an
/// outcome is drawn urgent when a scenario (`dialogs/tests`) reaches it with that fact yes,
/// with how many of the scenarios reaching it are urgent. The `let` steps computing the fact are
/// drawn highlighted, so the rule itself is on the page too.
public struct FlowGraph: Sendable {
    public enum Kind: String, Sendable {
        case dialog, question, compute, say, decision, outcome, end, external
    }

    public struct Node: Sendable, Equatable {
        public let id: String
        public let kind: Kind
        public let lines: [String]
        /// For an outcome: urgent in `urgent` of the `reached` scenarios that reach it.
        public var urgency: (urgent: Int, reached: Int)?
        /// A `let` of the urgent fact.
        public var computesUrgency = false

        public var isUrgent: Bool { (urgency?.urgent ?? 0) > 0 }

        public static func == (a: Node, b: Node) -> Bool {
            a.id == b.id && a.kind == b.kind && a.lines == b.lines && a.urgency?.urgent == b.urgency?.urgent
                && a.urgency?.reached == b.urgency?.reached && a.computesUrgency == b.computesUrgency
        }
    }

    public enum EdgeKind: String, Sendable { case flow, yes, no, jump }

    public struct Edge: Sendable, Equatable {
        public let from: String
        public let to: String
        public let label: String?
        public let kind: EdgeKind
    }

    public struct Cluster: Sendable {
        public let id: String
        public let title: String
        public var nodes: [String]
    }

    public internal(set) var nodes: [Node] = []
    public internal(set) var edges: [Edge] = []
    public internal(set) var clusters: [Cluster] = []
    /// The urgent fact, when the content names one.
    public let urgentFact: String?
    /// How many scenarios the urgency marks come from.
    public let scenarioCount: Int

    init(urgentFact: String?, scenarioCount: Int) {
        self.urgentFact = urgentFact
        self.scenarioCount = scenarioCount
    }

    public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }
}

/// How often each outcome step was reached, and reached urgent, by the scenarios.
public struct UrgencyEvidence: Sendable {
    public var byStep: [Walk.Location: (urgent: Int, reached: Int)] = [:]
    public var scenarioCount = 0

    public init() {}

    /// An outcome step counts when a scenario reaches it and its condition shares a test with the rule
    /// computing the urgent fact: a consultation is urgent as a whole, and an outcome that merely comes
    /// along (citizenship, family) must not look urgent because the route beside it is.
    public init(content: Content, results: [ScenarioResult]) {
        guard let fact = content.urgentFact else { return }
        let set = content.dialogs
        var ruleTests = Set<String>()
        for dialog in set.dialogs {
            for step in dialog.nodes {
                guard case .compute(fact, let value) = step.kind else { continue }
                ruleTests.formUnion(Self.tests(in: value))
                if let when = step.when { ruleTests.formUnion(Self.tests(in: when)) }
            }
        }
        for result in results {
            guard let run = result.run, run.isComplete else { continue }
            scenarioCount += 1
            let urgent = run.facts[fact] == .bool(true)
            for location in run.reachedOutcomeSteps(in: set) {
                let when = set.dialogs[location.dialog].nodes[location.step].when
                guard let when, !Self.tests(in: when).isDisjoint(with: ruleTests) else { continue }
                var entry = byStep[location] ?? (0, 0)
                entry.reached += 1
                if urgent { entry.urgent += 1 }
                byStep[location] = entry
            }
        }
    }
}

extension UrgencyEvidence {
    /// The tests a condition is made of (`and`, `or` and `not` taken apart), each written one way:
    /// `a > b` as `b < a`, so that `today > rp_apply_until` and `rp_apply_until < today` are one test.
    static func tests(in e: Expr) -> Set<String> {
        switch e.kind {
        case .binary(.and, let l, let r), .binary(.or, let l, let r): return tests(in: l).union(tests(in: r))
        case .not(let inner): return tests(in: inner)
        case .binary(.greater, let l, let r): return [Expr(.binary(.less, r, l), offset: 0, length: 0).infix]
        case .binary(.greaterOrEqual, let l, let r):
            return [Expr(.binary(.lessOrEqual, r, l), offset: 0, length: 0).infix]
        case .literal: return []
        default: return [e.infix]
        }
    }
}

extension Content {
    /// The yes/no fact an `appointment: urgent:` block names; else a yes/no fact named `urgent`, if any.
    public var urgentFact: String? {
        if let named = dialogs.dialogs.lazy.compactMap({ $0.appointment?.urgent }).first { return named }
        return dialogs.factTypes["urgent"] == .bool ? "urgent" : nil
    }
}

extension HeadlessRun {
    /// The outcome steps that gave this run's outcomes (an outcome is reported at its first step on the way).
    public func reachedOutcomeSteps(in set: DialogSet) -> [Walk.Location] {
        statuses.filter { location, status in
            guard status == .onPath, case .outcome(let o) = set.dialogs[location.dialog].nodes[location.step].kind
            else { return false }
            return outcomes.contains(o)
        }.map(\.key)
    }
}

/// Builds the flowchart of the content in one language.
public struct GraphBuilder {
    let content: Content
    let presenter: Presenter
    let evidence: UrgencyEvidence
    var graph: FlowGraph

    /// - Parameter dialog: draw only this dialog (others it leads to appear as a reference).
    public static func build(
        _ content: Content, language: String, dialog: String? = nil,
        evidence: UrgencyEvidence = UrgencyEvidence()
    ) -> FlowGraph {
        var builder = GraphBuilder(
            content: content, presenter: Presenter(content: content, language: language), evidence: evidence,
            graph: FlowGraph(urgentFact: content.urgentFact, scenarioCount: evidence.scenarioCount))
        let set = content.dialogs
        for (index, d) in set.dialogs.enumerated() where dialog == nil || d.name == dialog {
            builder.add(d, index: index, only: dialog != nil)
        }
        return builder.graph
    }

    /// An edge still to be drawn to the next node: from where, its label, and for an answer's
    /// edges the values of that answer it stands for.
    struct Pending {
        let from: String
        let label: String?
        let kind: FlowGraph.EdgeKind
        var fact: String? = nil
        var values: [String]? = nil
    }

    /// A condition that tests one fact against values: `f`, `not f`, `f == "v"`, `f != "v"`, `f in [...]`.
    struct SimpleTest {
        let fact: String
        let values: Set<String>
        let negated: Bool
    }

    private mutating func add(_ dialog: Dialog, index d: Int, only: Bool) {
        let set = content.dialogs
        let entry = "d\(d)_start"
        var cluster = FlowGraph.Cluster(id: "d\(d)", title: dialog.name, nodes: [])
        func node(_ id: String, _ kind: FlowGraph.Kind, _ lines: [String]) {
            graph.nodes.append(FlowGraph.Node(id: id, kind: kind, lines: lines))
            cluster.nodes.append(id)
        }
        func edge(_ from: String, _ to: String, _ label: String?, _ kind: FlowGraph.EdgeKind) {
            graph.edges.append(FlowGraph.Edge(from: from, to: to, label: label, kind: kind))
        }
        func connect(_ pending: [Pending], to id: String) {
            for p in pending { edge(p.from, id, p.label, p.kind) }
        }
        func dialogTarget(_ name: String) -> String {
            if !only, let i = set.dialogIndex(named: name) { return "d\(i)_start" }
            let id = "ext_\(name)"
            if !graph.nodes.contains(where: { $0.id == id }) {
                graph.nodes.append(FlowGraph.Node(id: id, kind: .external, lines: ["→ \(name)"]))
            }
            return id
        }
        node(entry, .dialog, [dialog.name + (dialog.isStart ? " (start)" : "")])

        let steps = dialog.nodes
        var jumpTargets = Set<Int>()
        for step in steps { if case .goto(.step(let k)) = step.kind { jumpTargets.insert(k) } }
        func entryID(_ k: Int) -> String {
            steps.indices.contains(k) && steps[k].when != nil ? "d\(d)_c\(k)" : "d\(d)_s\(k)"
        }

        var askedFact: [String: String] = [:]  // node id → the fact its question asks
        var pending = [Pending(from: entry, label: nil, kind: .flow)]

        func place(_ k: Int) {
            let step = steps[k]
            let id = "d\(d)_s\(k)"
            switch step.kind {
            case .goto(let target):
                switch target {
                case .dialog(let name): connect(pending, to: dialogTarget(name))
                case .step(let j): connect(pending, to: entryID(j))
                }
                pending = []
                return
            case .ask(let q):
                node(id, .question, questionLines(q))
                askedFact[id] = q.fact
            case .compute(let fact, let value):
                node(id, .compute, wrap("\(fact) = \(value.infix)"))
                if fact == content.urgentFact, let i = graph.nodes.indices.last {
                    graph.nodes[i].computesUrgency = true
                }
            case .say(let key):
                node(id, .say, wrap(abbreviated(presenter.text(key)), width: 44))
            case .outcome(let o):
                if let u = evidence.byStep[Walk.Location(dialog: d, step: k)], u.urgent > 0 {
                    node(id, .outcome, outcomeLines(o) + [urgencyLine(u)])
                    graph.nodes[graph.nodes.count - 1].urgency = u
                } else {
                    node(id, .outcome, outcomeLines(o))
                }
            }
            connect(pending, to: id)
            pending = [Pending(from: id, label: nil, kind: .flow)]
        }

        var i = 0
        while i < steps.count {
            guard let when = steps[i].when else {
                place(i)
                i += 1
                continue
            }
            // One decision for consecutive steps under the same condition, unless a step in between
            // sets what the condition reads or is jumped to.
            let read = Set(when.references)
            var j = i + 1
            while j < steps.count, steps[j].when?.infix == when.infix, !jumpTargets.contains(j),
                !sets(steps[j - 1], read)
            { j += 1 }

            let test = simpleTest(when)
            var yes: Pending
            var no: Pending?
            if let test, pending.count == 1, !jumpTargets.contains(i), let asked = askedFact[pending[0].from],
                asked == test.fact,
                pending[0].kind == .flow || pending[0].fact == test.fact,
                let all = pending[0].values ?? values(of: test.fact)
            {
                // The question just asked: its answers are the edges.
                let source = pending[0].from
                let taken = all.filter { test.values.contains($0) != test.negated }
                let other = all.filter { test.values.contains($0) == test.negated }
                yes = Pending(
                    from: source, label: valueLabel(test.fact, taken), kind: .yes, fact: test.fact, values: taken)
                no =
                    other.isEmpty
                    ? nil
                    : Pending(
                        from: source, label: valueLabel(test.fact, other), kind: .no, fact: test.fact, values: other)
            } else {
                let id = "d\(d)_c\(i)"
                node(id, .decision, decisionLines(when, test))
                connect(pending, to: id)
                if let test, let all = values(of: test.fact) {
                    let taken = all.filter { test.values.contains($0) != test.negated }
                    let other = all.filter { test.values.contains($0) == test.negated }
                    yes = Pending(from: id, label: valueLabel(test.fact, taken), kind: .yes)
                    no = Pending(from: id, label: valueLabel(test.fact, other), kind: .no)
                } else {
                    yes = Pending(from: id, label: presenter.text("value.yes"), kind: .yes)
                    no = Pending(from: id, label: presenter.text("value.no"), kind: .no)
                }
            }
            pending = [yes]
            for k in i..<j { place(k) }
            if let no { pending.append(no) }
            i = j
        }
        if let next = dialog.next {
            connect(pending, to: dialogTarget(next))
        } else if !pending.isEmpty {
            node("d\(d)_end", .end, ["end"])
            connect(pending, to: "d\(d)_end")
        }
        graph.clusters.append(cluster)
    }

    private func sets(_ step: DialogStep, _ facts: Set<String>) -> Bool {
        switch step.kind {
        case .ask(let q): return facts.contains(q.fact)
        case .compute(let fact, _): return facts.contains(fact)
        default: return false
        }
    }

    func simpleTest(_ e: Expr) -> SimpleTest? {
        func literal(_ e: Expr) -> String? {
            switch e.kind {
            case .literal(.text(let s)), .literal(.choice(let s)): return s
            case .literal(.bool(let b)): return b ? "yes" : "no"
            default: return nil
            }
        }
        func isTestable(_ fact: String) -> Bool { values(of: fact) != nil }
        switch e.kind {
        case .reference(let f) where content.dialogs.factTypes[f] == .bool:
            return SimpleTest(fact: f, values: ["yes"], negated: false)
        case .not(let inner):
            guard let t = simpleTest(inner) else { return nil }
            return SimpleTest(fact: t.fact, values: t.values, negated: !t.negated)
        case .binary(let op, let l, let r) where op == .equal || op == .notEqual:
            guard case .reference(let f) = l.kind, isTestable(f), let v = literal(r) else { return nil }
            return SimpleTest(fact: f, values: [v], negated: op == .notEqual)
        case .membership(let l, let items, let negated):
            guard case .reference(let f) = l.kind, isTestable(f) else { return nil }
            let vs = items.compactMap(literal)
            guard vs.count == items.count else { return nil }
            return SimpleTest(fact: f, values: Set(vs), negated: negated)
        default:
            return nil
        }
    }

    /// The values a yes/no or choice fact can take, in the question's order.
    func values(of fact: String) -> [String]? {
        switch content.dialogs.factTypes[fact] {
        case .bool?: return ["yes", "no"]
        case .choice?:
            if case .choice(let choices)? = content.dialogs.question(for: fact)?.kind { return choices.map(\.value) }
            return nil
        default: return nil
        }
    }

    /// An answer edge: each value as the applicant reads it, with its ID.
    func valueLabel(_ fact: String, _ values: [String]) -> String {
        if content.dialogs.factTypes[fact] == .bool {
            return values.map { presenter.text($0 == "yes" ? "value.yes" : "value.no") }.joined(separator: " / ")
        }
        guard case .choice(let choices)? = content.dialogs.question(for: fact)?.kind else {
            return values.joined(separator: ", ")
        }
        return values.map { v in
            let label = choices.first { $0.value == v }.map { presenter.text($0.label) } ?? v
            return "\(abbreviated(label, limit: 60)) [\(v)]"
        }.joined(separator: "\n")
    }

    func questionLines(_ q: Question) -> [String] {
        var lines = wrap(abbreviated(presenter.text(q.prompt, facts: sampleFacts)))
        var kind: String
        switch q.kind {
        case .yesNo: kind = "\(presenter.text("value.yes")) / \(presenter.text("value.no"))"
        case .choice: kind = "choice"
        case .number(let min, let max): kind = "\(min)–\(max)"
        case .date: kind = "date"
        case .text: kind = "text"
        case .group(let g): kind = "list of \(g.fields.map(\.fact).joined(separator: ", "))"
        }
        lines.append("[\(q.fact): \(kind)]")
        return lines
    }

    /// Prompts that vary by an earlier choice (`{applicant_role, select, …}`) are shown for its first value.
    var sampleFacts: Environment {
        var env = Environment(today: LocalDate(daysSinceEpoch: 0))
        for d in content.dialogs.dialogs {
            for step in d.nodes {
                if case .ask(let q) = step.kind, case .choice(let choices) = q.kind, let first = choices.first {
                    env.set(q.fact, .value(.choice(first.value)))
                }
            }
        }
        return env
    }

    func outcomeLines(_ o: OutcomeStep) -> [String] {
        wrap(presenter.outcomeTitle(o.id)) + ["[\(o.id)]", "(\(o.explain))"]
    }

    func urgencyLine(_ u: (urgent: Int, reached: Int)) -> String {
        let name = content.urgentFact.map { presenter.factName($0) } ?? "urgent"
        return u.urgent == u.reached ? "⚠ \(name)" : "⚠ \(name) (\(u.urgent)/\(u.reached))"
    }

    func decisionLines(_ when: Expr, _ test: SimpleTest?) -> [String] {
        if let test { return wrap(presenter.factName(test.fact) + "?") + ["[\(test.fact)]"] }
        return wrap(when.infix, width: 36)
    }

    func abbreviated(_ s: String, limit: Int = 160) -> String {
        let flat = s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }

    /// Breaks text into lines of about `width` characters at spaces.
    func wrap(_ s: String, width: Int = 40) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in s.split(whereSeparator: { $0.isWhitespace }) {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}
