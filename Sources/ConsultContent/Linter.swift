import ConsultEngine
import ConsultLocalization
import Foundation

/// The result of checking `dialogs/` and `locales/` together.
public struct LintReport: Sendable {
    public let diagnostics: [Diagnostic]
    public let dialogs: DialogSet?
    public let localizer: Localizer

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// Checks the dialogs, the locales, and everything between them: keys missing in a language,
/// unused keys, placeholders that differ, plural forms a language needs.
public enum Linter {
    /// - Parameter typography: also check where non-breaking spaces belong (warnings only: a
    ///   consultation that loads its content skips it).
    public static func lint(dialogs: URL, locales: URL, typography: Bool = true) -> LintReport {
        let loaded = DialogLoader.loadDirectory(dialogs, displayPrefix: displayPath(dialogs))
        var diagnostics = loaded.diagnostics
        let catalogs = CatalogLoader.loadDirectory(locales, displayPrefix: displayPath(locales), typography: typography, into: &diagnostics)
        return crossCheck(loaded, catalogs: catalogs, diagnostics: diagnostics)
    }

    /// Lints files already read (tests give their text directly).
    public static func lint(dialogFiles: [YAMLFile], localeFiles: [YAMLFile]) -> LintReport {
        let loaded = DialogLoader.load(dialogFiles)
        var diagnostics = loaded.diagnostics
        let catalogs = localeFiles.compactMap { file in
            CatalogLoader.load(file, expectedLanguage: URL(fileURLWithPath: file.path).deletingPathExtension().lastPathComponent, into: &diagnostics)
        }
        return crossCheck(loaded, catalogs: catalogs, diagnostics: diagnostics)
    }

    /// A path as the user would write it: relative to the current directory when inside it.
    static func displayPath(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let path = url.standardizedFileURL.path
        if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
        return path
    }

    static func crossCheck(_ loaded: LoadedDialogs, catalogs: [Catalog], diagnostics initial: [Diagnostic]) -> LintReport {
        var diagnostics = initial
        let localizer = Localizer(catalogs: catalogs)
        func error(_ location: SourceLocation, _ message: String, _ id: String) {
            diagnostics.append(Diagnostic(.error, location, message, id: id))
        }
        func warning(_ location: SourceLocation, _ message: String, _ id: String) {
            diagnostics.append(Diagnostic(.warning, location, message, id: id))
        }
        guard let english = catalogs.first(where: { $0.language == localizer.fallback }) else {
            if !catalogs.isEmpty {
                error(SourceLocation(file: catalogs[0].file, line: 1, column: 1), "no en.yaml: English is the fallback language and must exist", "no-fallback")
            }
            return LintReport(diagnostics: diagnostics, dialogs: loaded.set, localizer: localizer)
        }
        func keyLocation(_ catalog: Catalog, _ key: MessageKey) -> SourceLocation {
            catalog.locations[key] ?? SourceLocation(file: catalog.file, line: 1, column: 1)
        }

        // Every key the program or the dialogs use, with the placeholders allowed in it.
        var required: [MessageKey: (allowed: Set<String>?, location: SourceLocation?)] = [:]
        let facts = loaded.factTypes
        let factNames = Set(facts.keys).union(["today"])
        for reference in loaded.references where required[reference.key] == nil {
            let allowed: Set<String>?
            switch reference.scope {
            case .facts: allowed = factNames
            case .none: allowed = []
            case .item(let group):
                if case .list(let record)? = facts[group] { allowed = Set(record.fields.map(\.name)) } else { allowed = nil }
            }
            required[reference.key] = (allowed, reference.location)
        }
        for (key, args) in SystemMessages.keys { required[key] = (Set(args), nil) }
        for fact in loaded.factTypes.keys { required[SystemMessages.factName(fact)] = ([], nil) }
        for outcome in loaded.outcomeIDs { required[SystemMessages.outcomeTitle(outcome)] = ([], nil) }

        // A message may have a version for the lawyer (KEY.lawyer: the open points addressed to the
        // lawyer, not to the applicant): used when any locale has it, then needed in every locale.
        for (key, need) in required {
            let lawyer = StaffAudience.lawyerKey(key)
            if required[lawyer] == nil, catalogs.contains(where: { $0.locations[lawyer] != nil }) {
                required[lawyer] = need
            }
        }

        for (key, need) in required.sorted(by: { $0.key < $1.key }) {
            let missingIn = catalogs.filter { $0.messages[key] == nil && $0.locations[key] == nil }
            if missingIn.count == catalogs.count {
                let location = need.location ?? SourceLocation(file: english.file, line: 1, column: 1)
                error(location, "no locale has the message '\(key)'", "missing-key")
            } else {
                for catalog in missingIn {
                    let location = need.location ?? SourceLocation(file: catalog.file, line: 1, column: 1)
                    error(location, "the message '\(key)' is missing in \(catalog.file) (the applicant would read English)", "missing-key")
                }
            }
            if let allowed = need.allowed {
                for catalog in catalogs {
                    guard let message = catalog.messages[key] else { continue }
                    for name in message.placeholders where !allowed.contains(name) {
                        let hint = closest(to: name, in: Array(allowed)).map { "; did you mean '{\($0)}'?" } ?? ""
                        error(keyLocation(catalog, key), "the message '\(key)' uses {\(name)}, which it is never given\(hint)", "unknown-placeholder")
                    }
                }
            }
        }

        // Messages inserted by others count as used; they must exist.
        var used = Set(required.keys)
        var queue = Array(used)
        while let key = queue.popLast() {
            for catalog in catalogs {
                for include in catalog.messages[key]?.includes ?? [] {
                    let k = MessageKey(include)
                    if catalog.messages[k] == nil && catalog.locations[k] == nil {
                        error(keyLocation(catalog, key), "the message '\(key)' inserts {@\(include)}, which \(catalog.file) does not have", "missing-key")
                    }
                    if used.insert(k).inserted { queue.append(k) }
                }
            }
        }

        for catalog in catalogs {
            for key in catalog.locations.keys.sorted() where !used.contains(key) {
                warning(keyLocation(catalog, key), "the message '\(key)' is not used by any dialog or by the program", "unused-key")
            }
            for (key, message) in catalog.messages.sorted(by: { $0.key < $1.key }) {
                if catalog.language != english.language, let reference = english.messages[key],
                   Set(reference.placeholders) != Set(message.placeholders) {
                    let expected = reference.placeholders.sorted().map { "{\($0)}" }.joined(separator: ", ")
                    let found = message.placeholders.sorted().map { "{\($0)}" }.joined(separator: ", ")
                    error(keyLocation(catalog, key), "the message '\(key)' has placeholders \(found.isEmpty ? "none" : found) but \(english.file) has \(expected.isEmpty ? "none" : expected)", "placeholder-mismatch")
                }
                let categories = Set(catalog.plurals.categories)
                for plural in message.plurals {
                    let missing = categories.subtracting(plural.categories)
                    if !missing.isEmpty {
                        error(keyLocation(catalog, key), "the plural of {\(plural.name)} in '\(key)' lacks \(missing.sorted().joined(separator: ", ")), which \(catalog.name) needs", "plural-missing")
                    }
                    let extra = plural.categories.filter { !categories.contains($0) && !$0.hasPrefix("=") }
                    if !extra.isEmpty {
                        warning(keyLocation(catalog, key), "the plural of {\(plural.name)} in '\(key)' has \(extra.sorted().joined(separator: ", ")), which \(catalog.name) never uses", "plural-extra")
                    }
                }
            }
        }
        diagnostics.sort { ($0.location.file, $0.location.line, $0.location.column) < ($1.location.file, $1.location.line, $1.location.column) }
        return LintReport(diagnostics: diagnostics, dialogs: loaded.set, localizer: localizer)
    }
}
