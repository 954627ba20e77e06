import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
import Foundation
import Testing

/// `consult graph`: the flow a paralegal reads, in their language, with urgent outcomes marked.
@Suite struct GraphTests {
    static let evidence = UrgencyEvidence(content: shipped, results: shippedScenarioResults)
    static let vksRussian = GraphBuilder.build(
        shipped, language: "ru", dialog: "vks_residence_permit", evidence: evidence)

    func question(_ fact: String, in graph: FlowGraph) throws -> FlowGraph.Node {
        try #require(graph.nodes.first { $0.kind == .question && $0.lines.last?.hasPrefix("[\(fact):") == true })
    }

    func outcomes(_ id: String, in graph: FlowGraph) -> [FlowGraph.Node] {
        graph.nodes.filter { $0.kind == .outcome && $0.lines.contains("[\(id)]") }
    }

    @Test func theVKSQuestionsAreShownInRussian() throws {
        let graph = Self.vksRussian
        let permit = try question("has_vks_work_permit", in: graph)
        #expect(permit.lines.joined(separator: " ").contains("разрешение на работу"))
        let contract = try question("contract_terminated", in: graph)
        #expect(contract.lines.last == "[contract_terminated: да / нет]")
        for fact in [
            "applicant_role", "relation_to_vks", "applicant_age", "work_permit_expires", "holds_vks_residence_permit",
            "termination_date", "new_contract_signed", "wants_citizenship", "wants_independent_permit",
            "family_members",
        ] {
            _ = try question(fact, in: graph)
        }
        #expect(graph.clusters.map(\.title) == ["vks_residence_permit"])
    }

    @Test func theAnswersAreOnTheEdgesOutOfTheirQuestion() throws {
        let graph = Self.vksRussian
        let permit = try question("has_vks_work_permit", in: graph)
        let expires = try question("work_permit_expires", in: graph)
        let out = graph.edges.filter { $0.from == permit.id }
        // "issued" leads to the expiry date; the other answers pass it by.
        #expect(out.contains { $0.to == expires.id && $0.label == "Да, выдано [issued]" && $0.kind == .yes })
        #expect(
            out.contains {
                $0.to != expires.id && $0.kind == .no
                    && $0.label == "Заявление подано, разрешение ещё не выдано [applied]\nНет [none]"
            })
    }

    @Test func conditionsAreWrittenInfixOnTheirDecisions() throws {
        let graph = GraphBuilder.build(shipped, language: "en", dialog: "vks_residence_permit", evidence: Self.evidence)
        let text = graph.nodes.filter { $0.kind == .decision }.map { $0.lines.joined(separator: " ") }
        #expect(text.contains("permit_in_force and contract_terminated"))
        #expect(
            text.contains {
                $0.hasPrefix("permit_in_force and contract_terminated and not new_contract_signed and today <=")
            })
        let decisions = graph.nodes.filter { $0.kind == .decision }.map(\.id)
        let labels = Set(graph.edges.filter { decisions.contains($0.from) }.compactMap(\.label))
        #expect(labels.isSuperset(of: ["yes", "no"]))
    }

    @Test func urgentOutcomesAreMarkedFromTheScenarios() throws {
        let graph = Self.vksRussian
        // Always urgent in the scenarios that reach it.
        for node in outcomes("rp_cancelled", in: graph) + outcomes("work_permit_expired", in: graph) {
            #expect(node.isUrgent)
            #expect(node.lines.last == "⚠ Срочно")
        }
        // Urgent only in its last 10 days.
        let grace = outcomes("grace_period_active", in: graph).first { $0.isUrgent }
        let counts = try #require(grace?.urgency)
        #expect(counts.urgent < counts.reached)
        #expect(grace?.lines.last == "⚠ Срочно (\(counts.urgent)/\(counts.reached))")
        // Never urgent.
        for node in outcomes("vks_rp_not_eligible", in: graph) + outcomes("family_review", in: graph) {
            #expect(!node.isUrgent)
        }
        let dot = DOTRenderer.render(graph)
        let cancelled = try #require(outcomes("rp_cancelled", in: graph).first)
        let line = try #require(dot.split(separator: "\n").first { $0.contains("\(cancelled.id) [label=") })
        #expect(line.contains("fillcolor=\"#ffcdd2\"") && line.contains("penwidth=3"))
        let notEligible = try #require(outcomes("vks_rp_not_eligible", in: graph).first)
        let plain = try #require(dot.split(separator: "\n").first { $0.contains("\(notEligible.id) [label=") })
        #expect(plain.contains("fillcolor=\"#c8e6c9\""))
        // The rule itself is highlighted.
        #expect(
            graph.nodes.contains { $0.kind == .compute && $0.computesUrgency && $0.lines[0].hasPrefix("urgent = ") })
        let mermaid = MermaidRenderer.render(graph)
        #expect(mermaid.contains("class ") && mermaid.contains(" urgent\n") && mermaid.contains(cancelled.id))
    }

    @Test func everyDialogIsDrawnAndTheIntakeLeadsToTheTopics() throws {
        let graph = GraphBuilder.build(shipped, language: "en")
        #expect(Set(graph.clusters.map(\.title)) == Set(shipped.dialogs.dialogs.map(\.name)))
        let topic = try question("topic", in: graph)
        let vksStart = "d\(try #require(shipped.dialogs.dialogIndex(named: "vks_residence_permit")))_start"
        #expect(
            graph.edges.contains {
                $0.from == topic.id && $0.to == vksStart && $0.label?.hasSuffix("[vks_residence_permit]") == true
            })
        // Every outcome step has a node.
        #expect(graph.nodes.filter { $0.kind == .outcome }.count == shipped.dialogs.outcomes.count)
        // Every edge joins drawn nodes.
        let ids = Set(graph.nodes.map(\.id))
        #expect(graph.edges.allSatisfy { ids.contains($0.from) && ids.contains($0.to) })
    }

    @Test func labelsAreEscapedForDOT() {
        #expect(DOTRenderer.quote("say \"да\"\nand \\ back") == #""say \"да\"\nand \\ back""#)
        #expect(DOTRenderer.quote("Срок: {rvp_expires}") == "\"Срок: {rvp_expires}\"")
    }

    @Test func labelsAreEscapedForMermaid() {
        #expect(
            MermaidRenderer.quote("a \"b\" <c> #1 | d\nВНЖ") == "\"a #quot;b#quot; #lt;c#gt; #35;1 #124; d<br/>ВНЖ\"")
    }

    @Test func theDOTIsValidForGraphvizAndRendersToSVG() throws {
        guard let dot = Graphviz.locate() else {
            // `make test` installs Graphviz; elsewhere the SVG cannot be checked.
            #expect(throws: Graphviz.Unavailable.self) { try Graphviz.svg(fromDOT: "digraph {}", executable: nil) }
            return
        }
        let svg = String(
            decoding: try Graphviz.svg(fromDOT: DOTRenderer.render(Self.vksRussian), executable: dot), as: UTF8.self)
        #expect(svg.contains("<svg"))
        #expect(svg.contains("Да, выдано [issued]"))
        #expect(svg.contains("#ffcdd2"))
    }

    @Test func withoutGraphvizTheErrorSaysWhatToInstall() {
        #expect(throws: Graphviz.Unavailable.self) { try Graphviz.svg(fromDOT: "digraph {}", executable: nil) }
        #expect(Graphviz.Unavailable().description.contains("apt-get install graphviz"))
        #expect(Graphviz.locate(path: "/nonexistent") == nil)
    }

    /// Every condition and value of the shipped dialogs prints to text that parses back to the same tree.
    @Test func everyShippedExpressionRoundTrips() throws {
        var count = 0
        for dialog in shipped.dialogs.dialogs {
            for step in dialog.nodes {
                var expressions = [step.when].compactMap { $0 }
                switch step.kind {
                case .compute(_, let value): expressions.append(value)
                case .ask(let q):
                    if case .group(let g) = q.kind { expressions += g.derive.map(\.value) }
                    if case .date(let min, let max) = q.kind { expressions += [min, max].compactMap { $0 } }
                default: break
                }
                for e in expressions {
                    let reparsed = try ExpressionParser.parse(e.infix)
                    #expect(shape(reparsed) == shape(e), "\(e.infix)")
                    count += 1
                }
            }
        }
        #expect(count > 50)
    }
}

/// An expression's tree without its places in the text.
func shape(_ e: Expr) -> String {
    switch e.kind {
    case .literal(let v): return "\(v)"
    case .reference(let name): return name
    case .not(let o): return "(not \(shape(o)))"
    case .negate(let o): return "(- \(shape(o)))"
    case .binary(let op, let l, let r): return "(\(op.rawValue) \(shape(l)) \(shape(r)))"
    case .membership(let x, let set, let negated):
        return "(\(negated ? "not-in" : "in") \(shape(x)) [\(set.map(shape).joined(separator: " "))])"
    case .call(let f, let args): return "(\(f.rawValue) \(args.map(shape).joined(separator: " ")))"
    }
}
