import ConsultEngine

/// A value ready to be written into a message.
public enum Argument: Hashable, Sendable {
    case number(Int)
    case date(LocalDate)
    /// Text written as it is.
    case text(String)
    /// A value that `select` branches on (`value`) and that is written as `text`.
    case choice(value: String, text: String)
    /// Items written one after the other, joined as the language joins lists.
    case list([String])
}

/// Writes messages in a language, falling back to English where a message is missing,
/// so the applicant never reads a raw key or placeholder.
public struct Localizer: Sendable {
    public let catalogs: [String: Catalog]
    public let fallback: String

    /// English: the language every other is translated from, shown when a message is missing.
    public static let fallbackLanguage = "en"

    public init(catalogs: [Catalog], fallback: String = Localizer.fallbackLanguage) {
        self.catalogs = Dictionary(catalogs.map { ($0.language, $0) }, uniquingKeysWith: { a, _ in a })
        self.fallback = fallback
    }

    /// The languages available, in a stable order (the fallback first).
    public var languages: [String] {
        catalogs.keys.sorted { ($0 == fallback ? "" : $0) < ($1 == fallback ? "" : $1) }
    }

    public func catalog(_ language: String) -> Catalog? {
        catalogs[language] ?? catalogs[fallback]
    }

    /// True when `key` has a text in `language` (without falling back).
    public func has(_ key: MessageKey, in language: String) -> Bool {
        catalogs[language]?.messages[key] != nil
    }

    /// The message `key` in `language`, with its placeholders filled from `arguments`.
    public func text(_ key: MessageKey, language: String, _ arguments: (String) -> Argument? = { _ in nil }) -> String {
        text(key, language: language, arguments, depth: 0)
    }

    private func text(_ key: MessageKey, language: String, _ arguments: (String) -> Argument?, depth: Int) -> String {
        let found =
            catalogs[language].flatMap { c in c.messages[key].map { (c, $0) } }
            ?? catalogs[fallback].flatMap { c in c.messages[key].map { (c, $0) } }
        guard let (catalog, message) = found, depth < 8 else { return "…" }
        var out = ""
        write(message.parts, into: &out, catalog: catalog, language: language, arguments, number: nil, depth: depth)
        return out
    }

    private func write(
        _ parts: [MessageFormat.Part], into out: inout String, catalog: Catalog, language: String,
        _ arguments: (String) -> Argument?, number: Int?, depth: Int
    ) {
        for part in parts {
            switch part {
            case .text(let s):
                out += s
            case .number:
                if let number { out += catalog.formatNumber(number) }
            case .placeholder(let name):
                out += format(arguments(name), catalog)
            case .include(let key):
                out += text(MessageKey(key), language: language, arguments, depth: depth + 1)
            case .plural(let name, let branches):
                guard case .number(let n) = arguments(name) else {
                    write(
                        branches["other"] ?? [], into: &out, catalog: catalog, language: language, arguments,
                        number: nil, depth: depth)
                    continue
                }
                let branch = branches["=\(n)"] ?? branches[catalog.plurals.category(for: n)] ?? branches["other"] ?? []
                write(branch, into: &out, catalog: catalog, language: language, arguments, number: n, depth: depth)
            case .select(let name, let branches):
                var selector = "other"
                switch arguments(name) {
                case .choice(let value, _): selector = value
                case .text(let value): selector = value
                case .number(let n): selector = String(n)
                default: break
                }
                write(
                    branches[selector] ?? branches["other"] ?? [], into: &out, catalog: catalog, language: language,
                    arguments, number: number, depth: depth)
            }
        }
    }

    private func format(_ argument: Argument?, _ catalog: Catalog) -> String {
        switch argument {
        case .none: return "—"
        case .number(let n): return catalog.formatNumber(n)
        case .date(let d): return catalog.formatDate(d)
        case .text(let s): return s
        case .choice(_, let text): return text
        case .list(let items): return catalog.join(items)
        }
    }

    /// The words the answer parser needs in `language`.
    public func vocabulary(_ language: String) -> Vocabulary {
        Vocabulary(localizer: self, language: language)
    }

    public struct Vocabulary: AnswerVocabulary, Sendable {
        let localizer: Localizer
        public let language: String

        public var yesWords: [String] { localizer.catalog(language)?.yesWords ?? [] }
        public var noWords: [String] { localizer.catalog(language)?.noWords ?? [] }

        public func label(_ key: MessageKey) -> String {
            localizer.text(key, language: language)
        }
    }
}
