import ConsultEngine
import Foundation

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
    /// Every catalog, by language (read now if they were read lazily: prefer `catalog(exactly:)`
    /// and `hasLanguage(_:)` where one language is wanted).
    public var catalogs: [String: Catalog] { store.all() }
    public let fallback: String
    private let store: Store

    /// English: the language every other is translated from, shown when a message is missing.
    public static let fallbackLanguage = "en"

    public init(catalogs: [Catalog], fallback: String = Localizer.fallbackLanguage) {
        store = Store(loaded: Dictionary(catalogs.map { ($0.language, $0) }, uniquingKeysWith: { a, _ in a }))
        self.fallback = fallback
    }

    /// Catalogs read when first wanted (the content cache): a consultation reads its own language
    /// and the fallback, not every locale. `read` gives the catalog of a language; each is called
    /// at most once, and must not fail (the cache checks and, if need be, loads the file).
    /// `loaded`: catalogs already read (the fallback's, which the first screen needs).
    public init(
        languages: [String], fallback: String = Localizer.fallbackLanguage, loaded: [Catalog] = [],
        read: @escaping @Sendable (String) -> Catalog
    ) {
        store = Store(lazy: Set(languages), loaded: loaded, read: read)
        self.fallback = fallback
    }

    /// The languages available, in a stable order (the fallback first).
    public var languages: [String] {
        store.languages.sorted { ($0 == fallback ? "" : $0) < ($1 == fallback ? "" : $1) }
    }

    /// Whether `language` has a locale file.
    public func hasLanguage(_ language: String) -> Bool {
        store.languages.contains(language)
    }

    /// The catalog of `language`, nil when there is none (no fallback).
    public func catalog(exactly language: String) -> Catalog? {
        store.catalog(language)
    }

    public func catalog(_ language: String) -> Catalog? {
        store.catalog(language) ?? store.catalog(fallback)
    }

    /// The catalogs, read once each, under a lock (a localizer is shared between threads).
    private final class Store: @unchecked Sendable {
        private let lock = NSLock()
        let languages: Set<String>
        private var loaded: [String: Catalog]
        private let read: (@Sendable (String) -> Catalog)?

        init(loaded: [String: Catalog]) {
            languages = Set(loaded.keys)
            self.loaded = loaded
            read = nil
        }

        init(lazy languages: Set<String>, loaded: [Catalog], read: @escaping @Sendable (String) -> Catalog) {
            self.languages = languages
            self.loaded = Dictionary(
                loaded.filter { languages.contains($0.language) }.map { ($0.language, $0) },
                uniquingKeysWith: { a, _ in a })
            self.read = read
        }

        func catalog(_ language: String) -> Catalog? {
            guard languages.contains(language) else { return nil }
            lock.lock()
            defer { lock.unlock() }
            if let catalog = loaded[language] { return catalog }
            guard let read else { return nil }
            let catalog = read(language)
            loaded[language] = catalog
            return catalog
        }

        func all() -> [String: Catalog] {
            var result: [String: Catalog] = [:]
            for language in languages { result[language] = catalog(language) }
            return result
        }
    }

    /// True when `key` has a text in `language` (without falling back).
    public func has(_ key: MessageKey, in language: String) -> Bool {
        store.catalog(language)?.messages[key] != nil
    }

    /// The message `key` in `language`, with its placeholders filled from `arguments`.
    public func text(_ key: MessageKey, language: String, _ arguments: (String) -> Argument? = { _ in nil }) -> String {
        text(key, language: language, arguments, depth: 0)
    }

    private func text(_ key: MessageKey, language: String, _ arguments: (String) -> Argument?, depth: Int) -> String {
        let found =
            store.catalog(language).flatMap { c in c.messages[key].map { (c, $0) } }
            ?? store.catalog(fallback).flatMap { c in c.messages[key].map { (c, $0) } }
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
