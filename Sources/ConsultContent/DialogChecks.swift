import ConsultEngine
import ConsultLocalization
import Foundation

// MARK: - Checks over all the dialogs, and the model

/// Where each `goto` leads, and the edges between dialogs (gotos and nexts) with their places.
struct DialogLinks {
    var gotoTargets: [Int: [Int: GotoTarget]] = [:]
    var dialogEdges: [Int: [(Int, SourceLocation)]] = [:]
}

extension DialogBuilder {
    /// Runs every check on the dialogs read, in order, and builds the model when none is an error.
    mutating func finish() -> LoadedDialogs {
        checkStart()
        let askedAt = checkFactsAskedOnce()
        let links = resolveLinks()
        let order = dialogOrder(edges: links.dialogEdges)
        let (declaredFacts, outcomeIDs) = declarations()
        guard let order else {
            return LoadedDialogs(
                set: nil, references: references, diagnostics: diagnostics, factTypes: declaredFacts,
                outcomeIDs: outcomeIDs)
        }
        let (types, groups) = inferFactTypes(declared: declaredFacts)
        checkLetsSetNoQuestionFact(askedAt: askedAt)
        let flow = DataFlow(
            dialogs: dialogs, order: order, gotoTargets: links.gotoTargets,
            start: dialogs.firstIndex(where: \.isStart) ?? 0)
        checkReachable(flow)
        var built: [Dialog] = []
        for di in dialogs.indices {
            built.append(buildDialog(di, flow: flow, types: types, groups: groups, gotoTargets: links.gotoTargets))
            checkAppointment(dialogs[di], askedAt: askedAt, types: types)
        }
        let (roles, timeZone) = checkOffice(askedAt: askedAt, types: types)
        let hasErrors = diagnostics.contains { $0.severity == .error }
        let set =
            hasErrors
            ? nil
            : DialogSet(
                dialogs: built, start: dialogs.firstIndex(where: \.isStart) ?? 0, factTypes: types,
                roles: roles, timeZone: timeZone)
        return LoadedDialogs(
            set: set, references: references, diagnostics: diagnostics, factTypes: types, outcomeIDs: outcomeIDs)
    }

    /// `no-start`, `several-starts`: exactly one dialog is marked `start: true`.
    mutating func checkStart() {
        let starts = dialogs.filter(\.isStart)
        if starts.isEmpty, let first = dialogs.first {
            report(first.file.location(first.node), DialogProblem.noStart)
        } else if starts.count > 1 {
            for d in starts.dropFirst() {
                report(d.file.location(d.node), DialogProblem.severalStarts(first: starts[0].name))
            }
        }
    }

    /// `duplicate-fact`: each fact is asked by one question. Returns where each is asked.
    mutating func checkFactsAskedOnce() -> [String: SourceLocation] {
        var askedAt: [String: SourceLocation] = [:]
        for d in dialogs {
            for s in d.steps {
                guard case .ask(let q) = s.kind else { continue }
                if let first = askedAt[q.fact] {
                    report(d.file.location(q.factNode), DialogProblem.factAskedTwice(q.fact, first: first))
                }
                askedAt[q.fact] = d.file.location(q.factNode)
            }
        }
        return askedAt
    }

    /// `duplicate-id`, `loop` (a goto back), `dangling-reference` (a goto or next to nothing):
    /// where every goto and next leads.
    mutating func resolveLinks() -> DialogLinks {
        let dialogIndex = Dictionary(dialogs.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var links = DialogLinks()
        for (di, d) in dialogs.enumerated() {
            var ids: [String: Int] = [:]
            for (si, s) in d.steps.enumerated() {
                if let id = s.id {
                    if ids[id] != nil { report(s.location, DialogProblem.duplicateStepID(id)) }
                    ids[id] = si
                }
            }
            for (si, s) in d.steps.enumerated() {
                guard case .goto(let target, let node) = s.kind else { continue }
                if let step = ids[target] {
                    if step <= si {
                        report(d.file.location(node), DialogProblem.gotoBackwards(target: target))
                    } else {
                        links.gotoTargets[di, default: [:]][si] = .step(step)
                    }
                } else if let other = dialogIndex[target] {
                    links.gotoTargets[di, default: [:]][si] = .dialog(target)
                    links.dialogEdges[di, default: []].append((other, d.file.location(node)))
                } else {
                    let suggestion = closest(to: target, in: Array(ids.keys) + Array(dialogIndex.keys))
                    report(d.file.location(node), DialogProblem.unknownGotoTarget(target, suggestion: suggestion))
                }
            }
            if let (next, node) = d.next {
                if let other = dialogIndex[next] {
                    links.dialogEdges[di, default: []].append((other, d.file.location(node)))
                } else {
                    report(
                        d.file.location(node),
                        DialogProblem.unknownNext(next, suggestion: closest(to: next, in: Array(dialogIndex.keys))))
                }
            }
        }
        return links
    }

    /// `loop`: dialogs in an order where every goto and next points forward; nil on a cycle.
    mutating func dialogOrder(edges: [Int: [(Int, SourceLocation)]]) -> [Int]? {
        var state = [Int](repeating: 0, count: dialogs.count)  // 0 new, 1 on the stack, 2 done
        var order: [Int] = []
        var cycle = false
        func visit(_ d: Int, _ builder: inout DialogBuilder) {
            state[d] = 1
            for (next, location) in edges[d] ?? [] {
                if state[next] == 1 {
                    builder.report(
                        location,
                        DialogProblem.dialogLoop(from: builder.dialogs[next].name, backTo: builder.dialogs[d].name))
                    cycle = true
                } else if state[next] == 0 {
                    visit(next, &builder)
                }
            }
            state[d] = 2
            order.append(d)
        }
        for d in dialogs.indices where state[d] == 0 {
            visit(d, &self)
        }
        return cycle ? nil : order.reversed()
    }

    /// The facts and outcomes the dialogs declare, typed roughly (enough for lint's other checks).
    func declarations() -> (facts: [String: ValueType], outcomes: Set<String>) {
        var outcomeIDs = Set<String>()
        var declaredFacts: [String: ValueType] = [:]
        for d in dialogs {
            for s in d.steps {
                switch s.kind {
                case .outcome(let id, _, _): outcomeIDs.insert(id)
                case .ask(let q): declaredFacts[q.fact] = q.valueTypeIgnoringDerive ?? .text
                case .compute(let f, _): declaredFacts[f] = declaredFacts[f] ?? .text
                default: break
                }
            }
        }
        return (declaredFacts, outcomeIDs)
    }

    /// `duplicate-fact`: a `let` never sets a fact that a question asks.
    mutating func checkLetsSetNoQuestionFact(askedAt: [String: SourceLocation]) {
        for d in dialogs {
            for s in d.steps {
                if case .compute(let fact, _) = s.kind, askedAt[fact] != nil {
                    report(s.location, DialogProblem.letSetsQuestionFact(fact))
                }
            }
        }
    }

    /// `unreachable`: a dialog no goto or next leads to, the first step of a dialog no path reaches.
    mutating func checkReachable(_ flow: DataFlow) {
        for (di, d) in dialogs.enumerated() {
            if flow.available[di].allSatisfy({ $0 == nil }) {
                if !d.isStart {
                    report(d.file.location(d.nameNode), DialogProblem.dialogNeverReached(d.name))
                }
                continue
            }
            if let s = d.steps.indices.first(where: { flow.available[di][$0] == nil }).map({ d.steps[$0] }) {
                report(s.location, DialogProblem.stepNeverReached)
            }
        }
    }

    /// The model of one dialog, every expression type-checked where it stands (with the facts
    /// some path may have set before it).
    mutating func buildDialog(
        _ di: Int, flow: DataFlow, types: [String: ValueType], groups: [String: Group],
        gotoTargets: [Int: [Int: GotoTarget]]
    ) -> Dialog {
        let d = dialogs[di]
        var nodes: [DialogStep] = []
        for (si, s) in d.steps.enumerated() {
            let available = flow.available[di][si].map { bits in
                { @Sendable [factIndex = flow.factIndex] (name: String) -> Bool in
                    factIndex[name].map(bits.contains) ?? false
                }
            }
            let checker = ExpressionChecker(declared: types, available: available)
            let when = s.when.flatMap { check($0, checker, expect: .bool, what: "a 'when' condition") }
            let kind: DialogStep.Kind?
            switch s.kind {
            case .ask(let q):
                kind = question(q, checker: checker, groups: groups).map { .ask($0) }
            case .compute(let fact, let e):
                kind = e.flatMap { check($0, checker, expect: types[fact], what: "the value of '\(fact)'") }.map {
                    .compute(fact: fact, value: $0)
                }
            case .outcome(let id, let explain, let confirm):
                kind = .outcome(OutcomeStep(id: id, explain: explain, confirm: confirm, when: when))
            case .say(let key):
                kind = .say(key)
            case .goto:
                kind = gotoTargets[di]?[si].map { .goto($0) }
            }
            if let kind {
                nodes.append(DialogStep(id: s.id, when: when, kind: kind, location: s.location))
            } else {
                // Keep the indexes of later gotos right: an unusable step becomes a skipped one.
                nodes.append(
                    DialogStep(
                        id: s.id, when: Expr(.literal(.bool(false)), offset: 0, length: 0), kind: .say(MessageKey("")),
                        location: s.location))
            }
        }
        return Dialog(
            name: d.name, isStart: d.isStart, next: d.next?.0, nodes: nodes, location: d.file.location(d.node),
            appointment: d.appointment)
    }

    /// `dangling-reference`, `appointment-urgent`: an appointment names asked facts, and a yes/no
    /// fact (usually a `let`) for its urgency.
    /// `fact-role`, `time-zone`: the start dialog's `roles:` name facts its questions ask, of the
    /// type each role needs; `time_zone:` is a zone this machine knows. Both only in the start dialog.
    mutating func checkOffice(askedAt: [String: SourceLocation], types: [String: ValueType]) -> (FactRoles, String) {
        var roles = FactRoles()
        var timeZone = "UTC"
        for d in dialogs {
            guard d.isStart else {
                if let first = d.roles.first {
                    report(d.file.location(first.node), DialogProblem.officeOutsideStart(field: "roles"))
                }
                if let z = d.timeZone {
                    report(d.file.location(z.node), DialogProblem.officeOutsideStart(field: "time_zone"))
                }
                continue
            }
            if let z = d.timeZone {
                if TimeZone(identifier: z.name) == nil {
                    report(d.file.location(z.node), DialogProblem.unknownTimeZone(z.name))
                } else {
                    timeZone = z.name
                }
            }
            let startFacts = Set(
                d.steps.compactMap { step -> String? in
                    if case .ask(let q) = step.kind { return q.fact }
                    return nil
                })
            for (role, fact, node) in d.roles {
                guard startFacts.contains(fact), let type = types[fact] else {
                    report(d.file.location(node), DialogProblem.roleFactNotAsked(role: role, fact: fact))
                    continue
                }
                switch (role, type) {
                case ("language", .choice): roles.language = fact
                case ("topic", .choice): roles.topic = fact
                case ("consent", .bool): roles.consent = fact
                default:
                    let expected = role == "consent" ? "a yes/no question" : "a choice question"
                    report(
                        d.file.location(node),
                        DialogProblem.roleFactType(role: role, fact: fact, expected: expected, found: type))
                }
            }
        }
        return (roles, timeZone)
    }

    mutating func checkAppointment(_ d: RawDialog, askedAt: [String: SourceLocation], types: [String: ValueType]) {
        guard let a = d.appointment, let node = d.appointmentNode else { return }
        for fact in a.all where askedAt[fact] == nil {
            report(d.file.location(node), DialogProblem.appointmentFactNotAsked(fact))
        }
        if let urgent = a.urgent, types[urgent] != .bool {
            let found = types[urgent].map { "a fact of type \($0)" } ?? "no fact of that name"
            report(d.file.location(node), DialogProblem.urgentNotYesNo(urgent, found: found))
        }
    }
}
