import ConsultEngine

/// Rules every content file shares (dialogs, locales): reading it, its YAML, its fields.
public enum StructureRule: String, DiagnosticRule {
    case unreadableFile = "unreadable-file"
    case yamlSyntax = "yaml-syntax"
    case unknownField = "unknown-field"
    case missingField = "missing-field"
    case fieldType = "field-type"

    public var severity: Diagnostic.Severity { .error }
}

/// A file that cannot be read, or a field that is not where or what it should be. The fields'
/// sentences differ with the field (what it is, what it may hold), so they are the payload.
public enum StructureProblem: DiagnosticMessage, Hashable {
    case unreadableFile(reason: String)
    case yamlSyntax(String)
    /// A field the mapping may not have: the sentence names it and what is expected.
    case unknownField(String)
    /// A field the mapping must have: the sentence names it.
    case missingField(String)
    /// A field whose value is of the wrong kind: the sentence says what it should be.
    case fieldType(String)

    public var rule: StructureRule {
        switch self {
        case .unreadableFile: .unreadableFile
        case .yamlSyntax: .yamlSyntax
        case .unknownField: .unknownField
        case .missingField: .missingField
        case .fieldType: .fieldType
        }
    }

    public var message: String {
        switch self {
        case .unreadableFile(let reason): "cannot read the file as UTF-8 text: \(reason)"
        case .yamlSyntax(let problem): "YAML syntax: \(problem)"
        case .unknownField(let s), .missingField(let s), .fieldType(let s): s
        }
    }
}

/// Rules of one locale file read alone (`CatalogLoader`).
public enum LocaleRule: String, DiagnosticRule {
    case noLocales = "no-locales"
    case localeShape = "locale-shape"
    case languageMismatch = "language-mismatch"
    case pluralRule = "plural-rule"
    case missingCommand = "missing-command"
    case messageKey = "message-key"
    case duplicateKey = "duplicate-key"
    case messageType = "message-type"
    case messageSyntax = "message-syntax"
    case typographyNoBreak = "typography-no-break"

    public var severity: Diagnostic.Severity {
        switch self {
        case .typographyNoBreak: .warning
        default: .error
        }
    }
}

/// What can be wrong in one locale file.
public enum LocaleProblem: DiagnosticMessage, Hashable {
    case noLocales
    case localeShape
    case languageMismatch(language: String, fileLanguage: String)
    case pluralRule(String)
    case missingCommand(String, commands: [String])
    case messageKey
    case duplicateKey(String, firstLine: Int)
    case messageType(String, found: String)
    case messageSyntax(String, problem: String)
    /// An ordinary space where a line may not break; `place` says which place.
    case noBreak(key: String, place: NoBreakPlace)

    public enum NoBreakPlace: Hashable, Sendable {
        case after(String)
        case numberBefore(String)
        case phoneNumber
    }

    public var rule: LocaleRule {
        switch self {
        case .noLocales: .noLocales
        case .localeShape: .localeShape
        case .languageMismatch: .languageMismatch
        case .pluralRule: .pluralRule
        case .missingCommand: .missingCommand
        case .messageKey: .messageKey
        case .duplicateKey: .duplicateKey
        case .messageType: .messageType
        case .messageSyntax: .messageSyntax
        case .noBreak: .typographyNoBreak
        }
    }

    public var message: String {
        switch self {
        case .noLocales:
            "no locale files found (expected en.yaml, es.yaml, ru.yaml)"
        case .localeShape:
            "a locale file is a mapping with language, name, formatting_locale, plural_rules, words, list and messages"
        case .languageMismatch(let language, let fileLanguage):
            "the language '\(language)' does not match the file name \(fileLanguage).yaml"
        case .pluralRule(let problem):
            problem
        case .missingCommand(let name, let commands):
            "commands lacks '\(name)' (every locale names words for \(commands.joined(separator: ", ")))"
        case .messageKey:
            "a message key is a name such as vks.outcome.vks_rp_eligible"
        case .duplicateKey(let key, let firstLine):
            "the message '\(key)' is written twice (first at line \(firstLine))"
        case .messageType(let key, let found):
            "the message '\(key)' must be text, not \(found)"
        case .messageSyntax(let key, let problem):
            "in message '\(key)': \(problem)"
        case .noBreak(let key, let place):
            "in message '\(key)': \(place.sentence); write a non-breaking space (U+00A0) there"
        }
    }
}

extension LocaleProblem.NoBreakPlace {
    var sentence: String {
        switch self {
        case .after(let abbreviation): "a line may break after «\(abbreviation)»"
        case .numberBefore(let word): "a line may break between the number and «\(word)»"
        case .phoneNumber: "a line may break inside the phone number"
        }
    }
}
