import Foundation

/// The flowchart as Graphviz DOT text.
public enum DOTRenderer {
    public static func render(_ graph: FlowGraph) -> String {
        var out = """
            digraph consult {
              rankdir=TB;
              newrank=true;
              node [fontname="DejaVu Sans", fontsize=11];
              edge [fontname="DejaVu Sans", fontsize=10];

            """
        let clustered = Set(graph.clusters.flatMap(\.nodes))
        for cluster in graph.clusters {
            out += "  subgraph cluster_\(cluster.id) {\n"
            out += "    label=\(quote(cluster.title)); style=rounded; color=\"#607d8b\"; fontsize=14;\n"
            for id in cluster.nodes {
                if let node = graph.node(id) { out += "    " + nodeLine(node) + "\n" }
            }
            out += "  }\n"
        }
        for node in graph.nodes where !clustered.contains(node.id) {
            out += "  " + nodeLine(node) + "\n"
        }
        for e in graph.edges {
            var attributes: [String] = []
            if let label = e.label { attributes.append("label=\(quote(label))") }
            switch e.kind {
            case .flow: break
            case .yes: attributes.append("color=\"#2e7d32\", fontcolor=\"#2e7d32\"")
            case .no: attributes.append("color=\"#9e9e9e\", fontcolor=\"#616161\", style=dashed")
            case .jump: attributes.append("style=bold")
            }
            out += "  \(e.from) -> \(e.to)\(attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]");\n"
        }
        out += legend(graph)
        out += "}\n"
        return out
    }

    static func nodeLine(_ node: FlowGraph.Node) -> String {
        "\(node.id) [label=\(quote(node.lines.joined(separator: "\n"))), \(style(node))];"
    }

    static func style(_ node: FlowGraph.Node) -> String {
        switch node.kind {
        case .dialog: return "shape=box, style=\"bold,filled\", fillcolor=\"#cfd8dc\""
        case .question: return "shape=box, style=\"filled\", fillcolor=\"#e3f2fd\""
        case .compute:
            return node.computesUrgency
                ? "shape=parallelogram, style=\"filled\", fillcolor=\"#fff3e0\", color=\"#c62828\", penwidth=2"
                : "shape=parallelogram, style=\"filled\", fillcolor=\"#fffde7\""
        case .say: return "shape=note, style=\"filled\", fillcolor=\"#f5f5f5\", fontcolor=\"#424242\""
        case .decision: return "shape=diamond, style=\"filled\", fillcolor=\"#fff8e1\""
        case .outcome:
            return node.isUrgent
                ? "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#ffcdd2\", color=\"#c62828\", penwidth=3"
                : "shape=box, style=\"rounded,filled\", fillcolor=\"#c8e6c9\", color=\"#2e7d32\""
        case .end: return "shape=doublecircle, fixedsize=false"
        case .external: return "shape=cds, style=\"filled\", fillcolor=\"#eceff1\""
        }
    }

    static func legend(_ graph: FlowGraph) -> String {
        let urgency =
            graph.urgentFact.map {
                "⚠ urgent: a scenario reaches it with \($0) = yes, and its condition shares a test with the rule computing \($0) (n/m: urgent in n of the m scenarios reaching it; \(graph.scenarioCount) scenarios)"
            } ?? "no urgent fact is named (appointment: urgent:)"
        let samples: [(String, FlowGraph.Node)] = [
            ("legend_q", .init(id: "legend_q", kind: .question, lines: ["question [fact: type]"])),
            ("legend_c", .init(id: "legend_c", kind: .decision, lines: ["condition"])),
            ("legend_l", .init(id: "legend_l", kind: .compute, lines: ["computed fact = value"])),
            ("legend_o", .init(id: "legend_o", kind: .outcome, lines: ["outcome"])),
            ("legend_u", .init(id: "legend_u", kind: .outcome, lines: ["⚠ urgent outcome"], urgency: (1, 1))),
        ]
        var out = "  subgraph cluster_legend {\n    label=\(quote("legend: \(urgency)")); style=dashed; fontsize=10;\n"
        for (_, node) in samples { out += "    " + nodeLine(node) + "\n" }
        out += "    legend_q -> legend_c -> legend_l -> legend_o -> legend_u [style=invis];\n  }\n"
        return out
    }

    /// A DOT string: backslashes and quotes escaped, line breaks as DOT's `\n` (centred lines).
    public static func quote(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n", "\r\n", "\r": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}

/// The flowchart as a Mermaid `flowchart` (GitHub and GitLab draw it in Markdown).
public enum MermaidRenderer {
    public static func render(_ graph: FlowGraph) -> String {
        var out = "flowchart TD\n"
        let clustered = Set(graph.clusters.flatMap(\.nodes))
        for cluster in graph.clusters {
            out += "  subgraph \(cluster.id)[\(quote(cluster.title))]\n"
            for id in cluster.nodes {
                if let node = graph.node(id) { out += "    " + nodeLine(node) + "\n" }
            }
            out += "  end\n"
        }
        for node in graph.nodes where !clustered.contains(node.id) {
            out += "  " + nodeLine(node) + "\n"
        }
        for e in graph.edges {
            let arrow = e.kind == .no ? "-.->" : "-->"
            out += "  \(e.from) \(arrow)\(e.label.map { "|\(quote($0))|" } ?? "") \(e.to)\n"
        }
        out += """
              classDef dialog fill:#cfd8dc,stroke:#455a64,font-weight:bold
              classDef question fill:#e3f2fd,stroke:#1565c0
              classDef compute fill:#fffde7,stroke:#9e9d24
              classDef urgentRule fill:#fff3e0,stroke:#c62828,stroke-width:2px
              classDef say fill:#f5f5f5,stroke:#9e9e9e,color:#424242
              classDef decision fill:#fff8e1,stroke:#f9a825
              classDef outcome fill:#c8e6c9,stroke:#2e7d32
              classDef urgent fill:#ffcdd2,stroke:#c62828,stroke-width:3px,font-weight:bold

            """
        var byClass: [String: [String]] = [:]
        for node in graph.nodes {
            byClass[className(node), default: []].append(node.id)
        }
        for (name, ids) in byClass.sorted(by: { $0.key < $1.key }) where name != "none" {
            out += "  class \(ids.joined(separator: ",")) \(name)\n"
        }
        return out
    }

    static func className(_ node: FlowGraph.Node) -> String {
        switch node.kind {
        case .outcome: return node.isUrgent ? "urgent" : "outcome"
        case .compute: return node.computesUrgency ? "urgentRule" : "compute"
        case .end, .external: return "none"
        default: return node.kind.rawValue
        }
    }

    static func nodeLine(_ node: FlowGraph.Node) -> String {
        let text = quote(node.lines.joined(separator: "\n"))
        switch node.kind {
        case .dialog: return "\(node.id)[[\(text)]]"
        case .question: return "\(node.id)[\(text)]"
        case .compute: return "\(node.id)[/\(text)/]"
        case .say: return "\(node.id)>\(text)]"
        case .decision: return "\(node.id){\(text)}"
        case .outcome: return "\(node.id)([\(text)])"
        case .end: return "\(node.id)((\(text)))"
        case .external: return "\(node.id)>\(text)]"
        }
    }

    /// A Mermaid string: quotes and the characters Mermaid reads as markup written as entity
    /// codes (`#quot;`), line breaks as `<br/>`.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "#": out += "#35;"
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "|": out += "#124;"
            case "\n", "\r\n", "\r": out += "<br/>"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}

/// Graphviz's `dot`, when it is installed: DOT text in, SVG out.
public enum Graphviz {
    public struct Unavailable: Error, CustomStringConvertible {
        public init() {}

        public var description: String {
            "Graphviz's `dot` is not installed (Debian/Ubuntu: apt-get install graphviz); `consult graph --format dot` or `--format mermaid` needs nothing else"
        }
    }

    public struct Failed: Error, CustomStringConvertible {
        public let status: Int32
        public let message: String
        public var description: String { "Graphviz's `dot` failed (exit \(status)): \(message)" }
    }

    /// `dot` on the PATH, if any.
    public static func locate(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> URL? {
        for folder in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("dot")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    public static func svg(fromDOT dot: String, executable: URL? = locate()) throws -> Data {
        guard let executable else { throw Unavailable() }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-Tsvg"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Write on another thread: dot may fill its output pipe before it has read all its input.
        let data = Data(dot.utf8)
        let writer = Thread {
            input.fileHandleForWriting.write(data)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(status: process.terminationStatus, message: String(decoding: message, as: UTF8.self))
        }
        return svg
    }
}
