import ConsultEngine
import Foundation

/// One language's messages and the rules to write them: `locales/ru.yaml`, loaded.
public struct Catalog: Sendable {
    public let language: String
    /// The language's own name ("Español").
    public let name: String
    /// The locale whose conventions format dates and numbers (`ru_RU`).
    public let formattingLocale: String
    public let plurals: PluralRules
    public let yesWords: [String]
    public let noWords: [String]
    public let list: ListPatterns
    /// The words that run each terminal command in this language (`back: [atrás, volver]`).
    public let commands: [String: [String]]
    public let messages: [MessageKey: MessageFormat]
    /// Where each message is written (for lint).
    public let locations: [MessageKey: SourceLocation]
    /// The file it was loaded from, as shown in diagnostics.
    public let file: String
    /// Each message's text as written (after YAML's quoting and folding), the text hashed for
    /// `translated_from`.
    public let texts: [MessageKey: String]
    /// What each translated message was made from (`translated_from:`; empty in English).
    public let sources: [MessageKey: TranslationSource]
    let formatting: Formatting

    public init(
        language: String, name: String, formattingLocale: String, plurals: PluralRules,
        yesWords: [String], noWords: [String], list: ListPatterns, commands: [String: [String]] = [:],
        messages: [MessageKey: MessageFormat], locations: [MessageKey: SourceLocation] = [:], file: String = "",
        texts: [MessageKey: String] = [:], sources: [MessageKey: TranslationSource] = [:]
    ) {
        self.language = language
        self.name = name
        self.formattingLocale = formattingLocale
        self.plurals = plurals
        self.yesWords = yesWords
        self.noWords = noWords
        self.list = list
        self.commands = commands
        self.messages = messages
        self.locations = locations
        self.file = file
        self.texts = texts
        self.sources = sources
        self.formatting = Formatting(localeIdentifier: formattingLocale)
    }

    public func formatDate(_ date: LocalDate) -> String { formatting.date(date) }

    public func formatNumber(_ number: Int) -> String { formatting.number(number) }

    /// Joins items as the language does: "a, b and c".
    public func join(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        case 2: return list.apply(list.pair, items[0], items[1])
        default:
            var result = items[items.count - 2]
            result = list.apply(list.last, result, items[items.count - 1])
            for item in items.dropLast(2).reversed() {
                result = list.apply(list.middle, item, result)
            }
            return result
        }
    }
}

/// How a language joins list items: `{0} y {1}` for two, `{0}, {1}` in the middle, `{0} y {1}` at the end.
public struct ListPatterns: Hashable, Sendable {
    public let pair: String
    public let middle: String
    public let last: String

    public init(pair: String, middle: String, last: String) {
        self.pair = pair
        self.middle = middle
        self.last = last
    }

    func apply(_ pattern: String, _ a: String, _ b: String) -> String {
        pattern.replacingOccurrences(of: "{0}", with: a).replacingOccurrences(of: "{1}", with: b)
    }
}

/// Dates and numbers through Foundation, in one locale's conventions.
final class Formatting: @unchecked Sendable {
    private let lock = NSLock()
    private let dateFormatter: DateFormatter
    private let numberFormatter: NumberFormatter
    private let calendar: Calendar

    init(localeIdentifier: String) {
        let locale = Locale(identifier: localeIdentifier)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        self.calendar = calendar
        dateFormatter = DateFormatter()
        dateFormatter.locale = locale
        dateFormatter.calendar = calendar
        dateFormatter.timeZone = calendar.timeZone
        dateFormatter.dateStyle = .long
        dateFormatter.timeStyle = .none
        numberFormatter = NumberFormatter()
        numberFormatter.locale = locale
        numberFormatter.numberStyle = .decimal
    }

    func date(_ d: LocalDate) -> String {
        lock.lock()
        defer { lock.unlock() }
        let components = DateComponents(year: d.year, month: d.month, day: d.day, hour: 12)
        guard let date = calendar.date(from: components) else { return d.description }
        return dateFormatter.string(from: date)
    }

    func number(_ n: Int) -> String {
        lock.lock()
        defer { lock.unlock() }
        return numberFormatter.string(from: NSNumber(value: n)) ?? String(n)
    }
}
