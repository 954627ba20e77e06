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
        let catalogs = CatalogLoader.loadDirectory(
            locales, displayPrefix: displayPath(locales), typography: typography, into: &diagnostics)
        return crossCheck(loaded, catalogs: catalogs, diagnostics: diagnostics)
    }

    /// Lints files already read (tests give their text directly).
    public static func lint(dialogFiles: [YAMLFile], localeFiles: [YAMLFile]) -> LintReport {
        let loaded = DialogLoader.load(dialogFiles)
        var diagnostics = loaded.diagnostics
        let catalogs = localeFiles.compactMap { file in
            CatalogLoader.load(
                file, expectedLanguage: URL(fileURLWithPath: file.path).deletingPathExtension().lastPathComponent,
                into: &diagnostics)
        }
        return crossCheck(loaded, catalogs: catalogs, diagnostics: diagnostics)
    }

    /// A path as the user would write it: relative to the current directory when inside it.
    public static func displayPath(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let path = url.standardizedFileURL.path
        if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
        return path
    }

    static func crossCheck(
        _ loaded: LoadedDialogs, catalogs: [Catalog], diagnostics initial: [Diagnostic]
    ) -> LintReport {
        var check = CrossCheck(loaded: loaded, catalogs: catalogs, diagnostics: initial)
        check.run()
        var diagnostics = check.diagnostics
        diagnostics.sort {
            ($0.location.file, $0.location.line, $0.location.column) < (
                $1.location.file, $1.location.line, $1.location.column
            )
        }
        return LintReport(diagnostics: diagnostics, dialogs: loaded.set, localizer: check.localizer)
    }
}
