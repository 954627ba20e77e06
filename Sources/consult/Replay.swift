import ArgumentParser
import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultReplay
import ConsultStaff
import Foundation

extension Consult {
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Walk the answers of stored consultations through the content as it is now.",
            discussion: """
                Lists the consultations that would now end with other outcomes or another urgency, and those \
                that would now need a question they were never asked (old -> new, with the transcript's id), \
                then the totals. The content read is the copy being edited (./dialogs and ./locales first, as \
                `consult lint` reads them), or --dialogs/--locales. Exit status 0 when nothing changes, 1 when \
                something does.
                """)

        @Option(help: ArgumentHelp("Only consultations held on or after this day, YYYY-MM-DD.", valueName: "date"))
        var since: DateArgument?

        @Option(help: "text, or json (one object per consultation that changes, and the totals).")
        var format: ReplayFormat = .text

        @Flag(help: "List every consultation replayed, the unchanged ones too.")
        var all = false

        @OptionGroup var data: DataOptions
        @OptionGroup var content: ContentOptions
        @OptionGroup var keys: KeyOptions

        enum ReplayFormat: String, ExpressibleByArgument, CaseIterable {
            case text, json
        }

        func run() throws {
            let (_, content) = try self.content.loadForEditing()
            let replayer = Replayer(content: content)
            let openingKeys = try keys.keys()
            var totals = ReplayTotals()
            var listed: [ReplayCase] = []
            let clock = ContinuousClock()
            let started = clock.now
            for url in TranscriptReader.all(in: data.directory) {
                guard let events = try? TranscriptReader.events(url, keys: openingKeys) else { continue }
                if let since {
                    guard let today = events.startEvent?.today, today >= since.date else { continue }
                }
                let result = replayer.replay(id: url.deletingPathExtension().lastPathComponent, events: events)
                totals.count(result)
                // Not replayable (no topic chosen, no start) is counted, not listed: nothing of it can change.
                switch result.change {
                case .unchanged, .notReplayable: if all { listed.append(result) }
                default: listed.append(result)
                }
            }
            let elapsed = clock.now - started
            listed.sort { ($0.today.map(\.description) ?? "", $0.id) < ($1.today.map(\.description) ?? "", $1.id) }
            switch format {
            case .text: print(ReplayText.table(listed, totals: totals), terminator: "")
            case .json: print(ReplayText.json(listed, totals: totals))
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = seconds > 0 ? Int(Double(totals.replayed) / seconds) : totals.replayed
            printError(
                "replayed \(totals.replayed) consultation\(totals.replayed == 1 ? "" : "s") in \(Int(seconds * 1000)) ms (\(rate) per second)"
            )
            if totals.outcomes + totals.urgency + totals.needsQuestions > 0 { throw ExitCode(1) }
        }
    }
}

/// The replay's report: what changed for each consultation, in words a paralegal reads, every
/// string from the records escaped (a record is never trusted to be harmless on a terminal).
enum ReplayText {
    static func table(_ cases: [ReplayCase], totals: ReplayTotals) -> String {
        var lines: [String] = []
        for c in cases {
            let id = SafeText.escape(c.id)
            let day = c.today?.description ?? "?"
            var parts = ["\(id)  \(day)  \(what(c.change))"]
            if c.change == .outcomes {
                parts.append("outcomes: \(list(c.oldOutcomes)) -> \(list(c.newOutcomes))")
            }
            if let old = c.oldUrgent, let new = c.newUrgent, old != new {
                parts.append("urgent: \(yesNo(old)) -> \(yesNo(new))")
            }
            if !c.missing.isEmpty {
                parts.append("never asked: \(c.missing.map(SafeText.escape).joined(separator: ", "))")
            }
            if c.cutShort { parts.append("(cut short)") }
            lines.append(parts.joined(separator: "; "))
        }
        if !lines.isEmpty { lines.append("") }
        lines.append(
            "\(totals.replayed) replayed: \(totals.outcomes) with other outcomes, \(totals.urgency) with another urgency, "
                + "\(totals.needsQuestions) needing a question never asked, \(totals.unchanged) unchanged, "
                + "\(totals.notReplayable) not replayable (no start, no topic, or sealed without --identity)")
        return lines.joined(separator: "\n") + "\n"
    }

    static func what(_ change: ReplayCase.Change) -> String {
        switch change {
        case .unchanged: return "unchanged"
        case .outcomes: return "OUTCOMES CHANGE"
        case .urgency: return "URGENCY CHANGES"
        case .needsQuestions: return "NEEDS A QUESTION"
        case .notReplayable(let reason): return "not replayable (\(reason.rawValue))"
        }
    }

    static func list(_ ids: [String]) -> String {
        ids.isEmpty ? "none" : ids.map(SafeText.escape).joined(separator: ", ")
    }

    static func yesNo(_ b: Bool) -> String { b ? "yes" : "no" }

    static func json(_ cases: [ReplayCase], totals: ReplayTotals) -> String {
        func change(_ c: ReplayCase.Change) -> String {
            switch c {
            case .unchanged: return "unchanged"
            case .outcomes: return "outcomes"
            case .urgency: return "urgency"
            case .needsQuestions: return "needs_questions"
            case .notReplayable(let r): return r.rawValue
            }
        }
        let items: [UntypedJSON] = cases.map { c in
            var o: [String: UntypedJSON] = [
                "id": .string(c.id), "change": .string(change(c.change)),
                "old_outcomes": .array(c.oldOutcomes.map(UntypedJSON.string)),
                "new_outcomes": .array(c.newOutcomes.map(UntypedJSON.string)),
                "missing": .array(c.missing.map(UntypedJSON.string)), "cut_short": .bool(c.cutShort),
            ]
            if let today = c.today { o["today"] = .string(today.description) }
            if let old = c.oldUrgent { o["old_urgent"] = .bool(old) }
            if let new = c.newUrgent { o["new_urgent"] = .bool(new) }
            return .object(o)
        }
        let report: UntypedJSON = .object([
            "consultations": .array(items),
            "totals": .object([
                "replayed": .int(totals.replayed), "outcomes": .int(totals.outcomes), "urgency": .int(totals.urgency),
                "needs_questions": .int(totals.needsQuestions), "unchanged": .int(totals.unchanged),
                "not_replayable": .int(totals.notReplayable),
            ]),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
        return SafeText.escapeJSON(String(decoding: data, as: UTF8.self))
    }
}
