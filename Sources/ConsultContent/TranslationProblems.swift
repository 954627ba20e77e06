import ConsultEngine
import ConsultLocalization

/// Rules between the dialogs and the locales, and between the locales (`Linter`).
public enum TranslationRule: String, DiagnosticRule {
    case noFallback = "no-fallback"
    case missingKey = "missing-key"
    case unknownPlaceholder = "unknown-placeholder"
    case unusedKey = "unused-key"
    case placeholderMismatch = "placeholder-mismatch"
    case pluralMissing = "plural-missing"
    case pluralExtra = "plural-extra"
    case staleTranslation = "stale-translation"
    case missingSource = "missing-source"
    case orphanSource = "orphan-source"

    public var severity: Diagnostic.Severity {
        switch self {
        case .unusedKey, .pluralExtra, .staleTranslation, .missingSource, .orphanSource: .warning
        default: .error
        }
    }
}

/// What can be wrong between the dialogs and the locales.
public enum TranslationProblem: DiagnosticMessage, Hashable {
    case noFallback
    case missingEverywhere(MessageKey)
    case missingIn(MessageKey, file: String)
    case missingInsert(MessageKey, inserts: String, file: String)
    case unknownPlaceholder(MessageKey, placeholder: String, suggestion: String?)
    case unusedKey(MessageKey)
    case placeholderMismatch(MessageKey, found: [String], englishFile: String, english: [String])
    case pluralMissing(MessageKey, plural: String, categories: [String], language: String)
    case pluralExtra(MessageKey, plural: String, categories: [String], language: String)
    /// The English changed since the translation was made: what it was, what it is.
    case staleTranslation(MessageKey, was: String, now: String)
    case missingSource(MessageKey)
    case orphanSource(MessageKey)

    public var rule: TranslationRule {
        switch self {
        case .noFallback: .noFallback
        case .missingEverywhere, .missingIn, .missingInsert: .missingKey
        case .unknownPlaceholder: .unknownPlaceholder
        case .unusedKey: .unusedKey
        case .placeholderMismatch: .placeholderMismatch
        case .pluralMissing: .pluralMissing
        case .pluralExtra: .pluralExtra
        case .staleTranslation: .staleTranslation
        case .missingSource: .missingSource
        case .orphanSource: .orphanSource
        }
    }

    public var message: String {
        switch self {
        case .noFallback:
            return "no en.yaml: English is the fallback language and must exist"
        case .missingEverywhere(let key):
            return "no locale has the message '\(key)'"
        case .missingIn(let key, let file):
            return "the message '\(key)' is missing in \(file) (the applicant would read English)"
        case .missingInsert(let key, let include, let file):
            return "the message '\(key)' inserts {@\(include)}, which \(file) does not have"
        case .unknownPlaceholder(let key, let name, let suggestion):
            let hint = suggestion.map { "; did you mean '{\($0)}'?" } ?? ""
            return "the message '\(key)' uses {\(name)}, which it is never given\(hint)"
        case .unusedKey(let key):
            return "the message '\(key)' is not used by any dialog or by the program"
        case .placeholderMismatch(let key, let found, let englishFile, let english):
            func list(_ names: [String]) -> String {
                names.isEmpty ? "none" : names.sorted().map { "{\($0)}" }.joined(separator: ", ")
            }
            return "the message '\(key)' has placeholders \(list(found)) but \(englishFile) has \(list(english))"
        case .pluralMissing(let key, let plural, let categories, let language):
            return
                "the plural of {\(plural)} in '\(key)' lacks \(categories.sorted().joined(separator: ", ")), which \(language) needs"
        case .pluralExtra(let key, let plural, let categories, let language):
            return
                "the plural of {\(plural)} in '\(key)' has \(categories.sorted().joined(separator: ", ")), which \(language) never uses"
        case .staleTranslation(let key, let was, let now):
            return
                "the translation of '\(key)' was made from older English: was \(TranslationSource.doubleQuoted(was)), "
                + "now \(TranslationSource.doubleQuoted(now)); review it, then run `consult translations mark-current \(key)`"
        case .missingSource(let key):
            return
                "the translation of '\(key)' does not record the English it was made from; check it against the English, "
                + "then run `consult translations mark-current \(key)`"
        case .orphanSource(let key):
            return "translated_from names '\(key)', which this file does not translate; remove the line"
        }
    }
}
