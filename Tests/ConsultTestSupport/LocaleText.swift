import ConsultContent
import ConsultEngine
import ConsultLocalization
import Foundation

/// The sentences the applicant reads, rendered by the project's own renderer from the shipped
/// catalogs (`locales/*.yaml`): includes (`{@office.phone}`), plural and select forms and no-break
/// spaces come out exactly as the program writes them, so that tests assert on what the applicant
/// reads and keep passing when a translator rewords it.
///
/// A message is rendered with the facts a test knows: by default the applicant is the specialist
/// (`applicant_role` `vks`); ``relative`` gives the texts a relative of one reads.
public struct LocaleText: Sendable {
    public let code: String
    /// The facts the test knows, by name (values a `select` branches on).
    public let facts: [String: String]

    public static let en = LocaleText(code: "en")
    public static let es = LocaleText(code: "es")
    public static let ru = LocaleText(code: "ru")

    public init(code: String, facts: [String: String] = ["applicant_role": "vks"]) {
        self.code = code
        self.facts = facts
    }

    /// The same texts as a relative of a specialist reads them (`applicant_role` `family_member`).
    public var relative: LocaleText { with(["applicant_role": "family_member"]) }

    /// The same texts with more facts known.
    public func with(_ more: [String: String]) -> LocaleText {
        LocaleText(code: code, facts: facts.merging(more) { _, new in new })
    }

    private var catalog: Catalog? { shipped.localizer.catalogs[code] }

    /// Lists by `section.key`: `commands.back`, `words.yes`, `words.no`.
    public var lists: [String: [String]] {
        guard let catalog else { return [:] }
        var lists: [String: [String]] = ["words.yes": catalog.yesWords, "words.no": catalog.noWords]
        for (name, words) in catalog.commands { lists["commands.\(name)"] = words }
        return lists
    }

    private func argument(_ name: String, _ arguments: [String: String]) -> Argument? {
        if let value = arguments[name] { return .text(value) }
        if let value = facts[name] { return .choice(value: value, text: value) }
        return nil
    }

    /// The message with its placeholders filled from `arguments` (already written as the applicant
    /// reads them) and its selects decided by the known facts; `name` is the language's own name.
    public func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
        if key == "name" { return catalog?.name ?? "<missing \(code) name>" }
        guard catalog?.messages[MessageKey(key)] != nil else { return "<missing \(code) message \(key)>" }
        return shipped.localizer.text(MessageKey(key), language: code) { argument($0, arguments) }
    }

    public subscript(_ key: String) -> String { text(key) }

    /// The message up to its first part that depends on a value the test does not know (a
    /// placeholder or a plural form); includes are written out and selects on known facts decided.
    public func lead(_ key: String) -> String {
        guard let message = catalog?.messages[MessageKey(key)] else { return "<missing \(code) message \(key)>" }
        var out = ""
        _ = write(message.parts, into: &out)
        let lead = out.trimmingCharacters(in: .whitespaces)
        // An empty lead would be found on any screen: a test relying on it could not fail.
        return lead.isEmpty ? "<no known lead in \(code) message \(key)>" : lead
    }

    /// Writes `parts` until one needs an unknown value; false when it stopped there.
    private func write(_ parts: [MessageFormat.Part], into out: inout String) -> Bool {
        for part in parts {
            switch part {
            case .text(let text):
                out += text
            case .include(let key):
                out += self.text(key)
            case .select(let name, let branches):
                guard let value = facts[name], let branch = branches[value] ?? branches["other"] else { return false }
                if !write(branch, into: &out) { return false }
            case .placeholder, .plural, .number:
                return false
            }
        }
        return true
    }

    /// Items as the locale's list patterns join them ("A, B и C").
    public func list(_ items: [String]) -> String {
        catalog?.join(items) ?? items.joined(separator: ", ")
    }

    /// Two items as the locale's list pattern joins them ("A и B").
    public func pair(_ first: String, _ second: String) -> String {
        catalog?.join([first, second]) ?? "\(first), \(second)"
    }
}
