import ConsultEngine
import Foundation

/// The locale files of a folder with their text, for `consult translations`: coverage per
/// language, and recording that translations were reviewed against the English there is now.
public struct LocaleFolder {
    public struct File {
        public let url: URL
        public let yaml: YAMLFile
        public let catalog: Catalog
    }

    public let files: [File]
    /// What kept a file from loading, or is wrong in one (lint says more).
    public let diagnostics: [Diagnostic]

    public static func load(_ directory: URL, displayPrefix: String) -> LocaleFolder {
        var diagnostics: [Diagnostic] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter {
            $0.hasSuffix(".yaml")
        }.sorted()
        let files = names.compactMap { name -> File? in
            let url = directory.appendingPathComponent(name)
            let display = displayPrefix.isEmpty ? name : "\(displayPrefix)/\(name)"
            guard let yaml = YAMLFile.load(url, displayPath: display, into: &diagnostics),
                let catalog = CatalogLoader.load(
                    yaml, expectedLanguage: String(name.dropLast(5)), typography: false, into: &diagnostics)
            else { return nil }
            return File(url: url, yaml: yaml, catalog: catalog)
        }
        return LocaleFolder(files: files, diagnostics: diagnostics)
    }

    public var english: Catalog? { files.first { $0.catalog.language == Localizer.fallbackLanguage }?.catalog }

    /// The languages translated from English.
    public var translations: [File] { files.filter { $0.catalog.language != Localizer.fallbackLanguage } }

    public func coverage() throws(TranslationReviewError) -> [TranslationCoverage] {
        guard let english else { throw .noEnglish }
        return translations.map { TranslationCoverage($0.catalog, english: english) }
    }

    /// Records, in each file of `languages` (nil: every translation that has them), that the
    /// translations of `keys` (nil: all) were made from the English there is now. Only those
    /// records' lines change. Returns the number of records written per file; nothing is written
    /// when a key or a language is unknown.
    public func markCurrent(
        _ keys: [MessageKey]?, languages: [String]?
    ) throws(TranslationReviewError) -> [(file: File, count: Int)] {
        guard let english else { throw .noEnglish }
        let known = Set(translations.map(\.catalog.language))
        if let unknown = languages?.first(where: { !known.contains($0) }) {
            throw .unknownLanguage(unknown, known: known.sorted())
        }
        let chosen = translations.filter { languages?.contains($0.catalog.language) ?? true }
        if let keys {
            let unknown = keys.filter { english.texts[$0] == nil }
            if !unknown.isEmpty { throw .unknownKeys(unknown, englishFile: english.file) }
            for key in keys where !chosen.contains(where: { $0.catalog.locations[key] != nil }) {
                throw .notTranslated(key, languages: chosen.map(\.catalog.language))
            }
        }
        var done: [(File, Int, String)] = []
        for file in chosen {
            let catalog = file.catalog
            let marking = (keys ?? Array(catalog.locations.keys)).filter {
                catalog.locations[$0] != nil && english.texts[$0] != nil
            }
            guard !marking.isEmpty else { continue }
            done.append(
                (
                    file, marking.count,
                    TranslationReview.recordCurrent(marking, in: file.yaml.text, catalog: catalog, english: english)
                ))
        }
        for (file, _, text) in done {
            do {
                try Data(text.utf8).write(to: file.url, options: .atomic)
            } catch {
                throw .cannotWrite(file.yaml.path, "\(error.localizedDescription)")
            }
        }
        return done.map { ($0.0, $0.1) }
    }
}

public enum TranslationReviewError: Error, Equatable, CustomStringConvertible {
    case noEnglish
    case unknownLanguage(String, known: [String])
    case unknownKeys([MessageKey], englishFile: String)
    case notTranslated(MessageKey, languages: [String])
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .noEnglish:
            "no en.yaml: translations are made from English"
        case .unknownLanguage(let language, let known):
            "no translation '\(language)' (translations: \(known.joined(separator: ", ")))"
        case .unknownKeys(let keys, let englishFile):
            "\(englishFile) has no message \(keys.map { "'\($0)'" }.joined(separator: ", ")); nothing was marked"
        case .notTranslated(let key, let languages):
            "'\(key)' is not translated in \(languages.joined(separator: ", ")); nothing was marked"
        case .cannotWrite(let file, let reason):
            "cannot write \(file): \(reason)"
        }
    }
}

/// The line edits of `translated_from:`: a record's line is replaced where it is, a new record
/// goes at the end of the section (the section at the end of the file when there is none), and
/// every other byte of the file stays as it was.
public enum TranslationReview {
    static let section = "translated_from:"

    public static func recordCurrent(
        _ keys: [MessageKey], in text: String, catalog: Catalog, english: Catalog
    ) -> String {
        var lines = text.components(separatedBy: "\n")
        var replacements: [(range: Range<Int>, line: String)] = []
        var added: [String] = []
        for key in Set(keys).sorted() {
            guard let englishText = english.texts[key] else { continue }
            let line = TranslationSource.line(key, english: englishText)
            if let source = catalog.sources[key] {
                let start = source.location.line - 1
                var end = start + 1
                // A record someone wrote over several lines: its more-indented continuation lines.
                while end < lines.count, indentation(lines[end]) > source.location.column - 1,
                    !lines[end].trimmingCharacters(in: .whitespaces).isEmpty
                {
                    end += 1
                }
                replacements.append((start..<end, line))
            } else {
                added.append(line)
            }
        }
        if !added.isEmpty {
            if let header = lines.firstIndex(where: { $0.hasPrefix(section) }) {
                if lines[header].trimmingCharacters(in: .whitespaces) != section { lines[header] = section }  // `translated_from: {}`
                var end = header + 1
                while end < lines.count, lines[end].isEmpty || lines[end].hasPrefix(" ") || lines[end].hasPrefix("#") {
                    end += 1
                }
                while end > header + 1, lines[end - 1].trimmingCharacters(in: .whitespaces).isEmpty { end -= 1 }
                lines.insert(contentsOf: added, at: end)
            } else {
                if lines.last == "" { lines.removeLast() }
                lines += [section] + added + [""]
            }
        }
        for (range, line) in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            lines.replaceSubrange(range, with: [line])
        }
        return lines.joined(separator: "\n")
    }

    static func indentation(_ line: String) -> Int {
        line.prefix { $0 == " " }.count
    }
}
