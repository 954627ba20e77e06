import ConsultContent
import ConsultEngine
import ConsultLocalization
import Foundation

/// The content shipped in `dialogs/` and `locales/` of this checkout, loaded once: the facts the
/// expression checker knows, the words and choice labels the answer parser compares with, the
/// catalogs messages are written through and the staff view renders transcripts with.
public enum Shipped {
    /// The checkout this library was built from (…/FuzzTesting/Sources/ConsultFuzzing/Shipped.swift).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let content: Content = {
        do {
            return try Content.load(
                dialogs: root.appendingPathComponent("dialogs"), locales: root.appendingPathComponent("locales"))
        } catch {
            fatalError("the shipped content does not load, so nothing can be fuzzed against it:\n\(error)")
        }
    }()

    static let languages: [String] = content.localizer.languages

    /// Every choice list of the shipped questions (group fields included), in file order.
    static let choiceLists: [[Choice]] = {
        var lists: [[Choice]] = []
        func visit(_ question: Question) {
            switch question.kind {
            case .choice(let choices): lists.append(choices)
            case .group(let group): group.fields.forEach(visit)
            default: break
            }
        }
        for dialog in content.dialogs.dialogs {
            for step in dialog.nodes {
                if case .ask(let question) = step.kind { visit(question) }
            }
        }
        return lists
    }()

    static let allChoices: [Choice] = choiceLists.flatMap { $0 }

    /// A value of every fact the shipped dialogs set, as a consultation would hold it.
    static let environment: Environment = {
        var env = Environment(today: LocalDate(year: 2027, month: 3, day: 31)!)
        for (name, type) in content.dialogs.factTypes.sorted(by: { $0.key < $1.key }) {
            env.set(name, .value(sample(type, seed: name.count)))
        }
        return env
    }()

    /// A plausible value of a type; `seed` varies it between facts.
    static func sample(_ type: ValueType, seed: Int) -> Value {
        switch type {
        case .bool: return .bool(seed % 2 == 0)
        case .int: return .int(seed % 7 * 3)
        case .date: return .date(LocalDate(year: 2027, month: 3, day: 31)!.adding(days: seed * 41 - 400))
        case .text: return .text("text \(seed)")
        case .choice(let values): return .choice(values.sorted().first ?? "")
        case .list(let record):
            return .list(
                (0..<3).map { i in
                    Record(
                        Dictionary(
                            uniqueKeysWithValues: record.fields.map { ($0.name, sample($0.type, seed: seed + i)) }))
                })
        }
    }
}
