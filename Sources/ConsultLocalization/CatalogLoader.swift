import ConsultEngine
import Foundation
import Yams

/// Reads `locales/*.yaml` into catalogs, reporting each problem at its line and column.
public enum CatalogLoader {
    /// The `typography:` section: `no_break_after` and `no_break_before`, lists of words.
    static func typography(_ node: Node?, error: (Node?, StructureProblem) -> Void) -> Typography? {
        guard let node else { return Typography() }
        guard case .mapping(let entries) = node else {
            error(
                node,
                StructureProblem.fieldType(
                    "typography is a mapping with no_break_after and no_break_before, lists of words"))
            return nil
        }
        var typography = Typography()
        for (k, v) in entries {
            guard case .sequence(let items) = v, items.allSatisfy({ $0.scalarText?.isEmpty == false }) else {
                error(
                    v,
                    StructureProblem.fieldType("'\(k.scalarText ?? "?")' is a list of words, e.g. [\"str.\", \"No.\"]"))
                continue
            }
            let words = items.compactMap(\.scalarText)
            switch k.scalarText {
            case "no_break_after": typography.noBreakAfter = words
            case "no_break_before": typography.noBreakBefore = words
            default: error(k, StructureProblem.unknownField("typography has no_break_after and no_break_before only"))
            }
        }
        return typography
    }

    static let headerKeys: Set<String> = [
        "language", "name", "formatting_locale", "plural_rules", "words", "commands", "list", "messages", "typography",
        "translated_from",
    ]

    /// The terminal commands every locale names words for.
    public static let commandNames = [
        "help", "back", "change", "summary", "why", "language", "restart", "pause", "quit",
    ]

    /// Loads every `*.yaml` file of `directory` (README and others are ignored).
    public static func loadDirectory(
        _ directory: URL, displayPrefix: String, typography: Bool = true,
        into diagnostics: inout [Diagnostic]
    ) -> [Catalog] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        if files.isEmpty {
            diagnostics.append(
                Diagnostic(SourceLocation(file: displayPrefix, line: 1, column: 1), LocaleProblem.noLocales))
        }
        return files.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { name in
            let display = displayPrefix.isEmpty ? name : "\(displayPrefix)/\(name)"
            guard
                let file = YAMLFile.load(
                    directory.appendingPathComponent(name), displayPath: display, into: &diagnostics)
            else { return nil }
            return load(file, expectedLanguage: String(name.dropLast(5)), typography: typography, into: &diagnostics)
        }
    }

    /// What `loadDirectory` does with files already read: `texts` are the folder's `*.yaml` files
    /// (sorted by name), `folderIsEmpty` whether the folder listed nothing at all.
    public static func load(
        texts: [(name: String, text: String)], folderIsEmpty: Bool, displayPrefix: String, typography: Bool = true,
        into diagnostics: inout [Diagnostic]
    ) -> [Catalog] {
        if folderIsEmpty {
            diagnostics.append(
                Diagnostic(SourceLocation(file: displayPrefix, line: 1, column: 1), LocaleProblem.noLocales))
        }
        return texts.compactMap { name, text in
            let display = displayPrefix.isEmpty ? name : "\(displayPrefix)/\(name)"
            guard let file = YAMLFile.parse(text, displayPath: display, into: &diagnostics) else { return nil }
            return load(file, expectedLanguage: String(name.dropLast(5)), typography: typography, into: &diagnostics)
        }
    }

    /// - Parameter checkTypography: warn where a non-breaking space belongs (lint).
    public static func load(
        _ file: YAMLFile, expectedLanguage: String?, typography checkTypography: Bool = true,
        into diagnostics: inout [Diagnostic]
    ) -> Catalog? {
        func error(_ node: Node?, _ problem: some DiagnosticMessage) {
            diagnostics.append(Diagnostic(file.location(node), problem))
        }
        guard let root = file.root, case .mapping(let mapping) = root else {
            error(file.root, LocaleProblem.localeShape)
            return nil
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.scalarText, headerKeys.contains(name) else {
                error(
                    key,
                    StructureProblem.unknownField(
                        "unknown field '\(key.scalarText ?? "?")' in a locale file (expected one of: \(headerKeys.sorted().joined(separator: ", ")))"
                    ))
                continue
            }
            fields[name] = value
        }
        func text(_ name: String) -> String? {
            guard let node = fields[name] else {
                error(root, StructureProblem.missingField("missing '\(name)'"))
                return nil
            }
            guard let s = node.scalarText, !s.isEmpty else {
                error(node, StructureProblem.fieldType("'\(name)' must be a single value"))
                return nil
            }
            return s
        }
        let language = text("language") ?? expectedLanguage ?? "?"
        if let expectedLanguage, language != expectedLanguage, fields["language"] != nil {
            error(
                fields["language"], LocaleProblem.languageMismatch(language: language, fileLanguage: expectedLanguage))
        }
        let name = text("name") ?? language
        let formattingLocale = text("formatting_locale") ?? language

        var pluralPairs: [(String, String)] = []
        if let node = fields["plural_rules"] {
            if case .mapping(let rules) = node {
                for (k, v) in rules {
                    pluralPairs.append((k.scalarText ?? "", v.scalarText ?? ""))
                }
            } else if node.scalarText?.isEmpty == false || node.scalarText == nil {
                error(
                    node,
                    StructureProblem.fieldType(
                        "plural_rules is a mapping of category to CLDR condition, e.g. one: \"i = 1 and v = 0\""))
            }
        } else {
            error(
                root,
                StructureProblem.missingField(
                    "missing 'plural_rules' (an empty mapping {} for a language with one form)"))
        }
        var plurals = PluralRules(rules: [])
        do throws(PluralRuleError) {
            plurals = try PluralRules(pluralPairs)
        } catch let e {
            let node = (fields["plural_rules"]?.mapping).flatMap { m in
                m.first(where: { $0.key.scalarText == e.category })?.value
            }
            error(node ?? fields["plural_rules"], LocaleProblem.pluralRule(e.message))
        }

        var yes: [String] = []
        var no: [String] = []
        if case .mapping(let words)? = fields["words"] {
            for (k, v) in words {
                let list = v.sequence?.compactMap(\.scalarText) ?? []
                switch k.scalarText {
                case "yes": yes = list
                case "no": no = list
                default: error(k, StructureProblem.unknownField("words has 'yes' and 'no' lists only"))
                }
            }
        }
        if yes.isEmpty || no.isEmpty {
            error(fields["words"] ?? root, StructureProblem.missingField("words needs non-empty 'yes' and 'no' lists"))
        }

        var commands: [String: [String]] = [:]
        if let node = fields["commands"] {
            if case .mapping(let entries) = node {
                for (k, v) in entries {
                    guard let name = k.scalarText, commandNames.contains(name) else {
                        error(
                            k,
                            StructureProblem.unknownField(
                                "unknown command '\(k.scalarText ?? "?")' (commands are \(commandNames.joined(separator: ", ")))"
                            ))
                        continue
                    }
                    guard case .sequence(let items) = v, !items.isEmpty else {
                        error(v, StructureProblem.fieldType("the command '\(name)' needs a list of words, e.g. [back]"))
                        continue
                    }
                    commands[name] = items.compactMap(\.scalarText).map { $0.lowercased() }
                }
            } else {
                error(node, StructureProblem.fieldType("commands is a mapping of command name to a list of words"))
            }
            for name in commandNames where commands[name] == nil {
                error(node, LocaleProblem.missingCommand(name, commands: commandNames))
            }
        } else {
            error(
                root,
                StructureProblem.missingField(
                    "missing 'commands' (the words for \(commandNames.joined(separator: ", ")))"))
        }

        var listPatterns = ListPatterns(pair: "{0}, {1}", middle: "{0}, {1}", last: "{0}, {1}")
        if case .mapping(let list)? = fields["list"] {
            var p: [String: String] = [:]
            for (k, v) in list { p[k.scalarText ?? ""] = v.scalarText }
            if let pair = p["pair"], let middle = p["middle"], let last = p["last"] {
                listPatterns = ListPatterns(pair: pair, middle: middle, last: last)
            } else {
                error(
                    fields["list"],
                    StructureProblem.missingField("list needs 'pair', 'middle' and 'last' patterns with {0} and {1}"))
            }
        } else {
            error(fields["list"] ?? root, StructureProblem.missingField("missing 'list' (pair, middle, last)"))
        }

        var messages: [MessageKey: MessageFormat] = [:]
        var locations: [MessageKey: SourceLocation] = [:]
        var texts: [MessageKey: String] = [:]
        if case .mapping(let entries)? = fields["messages"] {
            for (k, v) in entries {
                guard let keyText = k.scalarText, !keyText.isEmpty else {
                    error(k, LocaleProblem.messageKey)
                    continue
                }
                let key = MessageKey(keyText)
                if locations[key] != nil {
                    error(k, LocaleProblem.duplicateKey(keyText, firstLine: locations[key]!.line))
                    continue
                }
                locations[key] = file.location(k)
                guard let body = v.scalarText else {
                    error(v, LocaleProblem.messageType(keyText, found: v.kindDescription))
                    continue
                }
                texts[key] = body
                do throws(MessageFormatError) {
                    messages[key] = try MessageFormat.parse(body)
                } catch let e {
                    diagnostics.append(
                        Diagnostic(
                            file.location(v, offset: e.offset), LocaleProblem.messageSyntax(keyText, problem: e.message)
                        ))
                }
            }
        } else {
            error(
                fields["messages"] ?? root,
                StructureProblem.missingField("missing 'messages' (a mapping of key to text)"))
        }
        if let typography = typography(fields["typography"], error: { error($0, $1) }), checkTypography,
            case .mapping(let entries)? = fields["messages"]
        {
            // Where each value ends: the next key written after it, in the messages or at the top.
            let keyMarks = (mapping.keys.map(\.mark) + entries.keys.map(\.mark)).compactMap { $0 }
                .sorted { ($0.line, $0.column) < ($1.line, $1.column) }
            let lines = Self.lines(file.text)
            for (k, v) in entries {
                guard let key = k.scalarText, let start = v.mark else { continue }
                // The first key after the value's start (a binary search: the marks are sorted).
                var low = 0
                var high = keyMarks.count
                while low < high {
                    let middle = (low + high) / 2
                    if (keyMarks[middle].line, keyMarks[middle].column) > (start.line, start.column) {
                        high = middle
                    } else {
                        low = middle + 1
                    }
                }
                let end = low < keyMarks.count ? keyMarks[low] : nil
                let characters = Typography.characters(of: v, until: end, lines: lines)
                diagnostics += typography.check(characters, key: key, file: file.path)
            }
        }
        return Catalog(
            language: language, name: name, formattingLocale: formattingLocale, plurals: plurals,
            yesWords: yes, noWords: no, list: listPatterns, commands: commands, messages: messages,
            locations: locations,
            file: file.path, texts: texts, sources: sources(fields["translated_from"], file, error: { error($0, $1) }))
    }

    /// The lines of `text` as `split(separator: "\n")` gives them (a CR LF pair is one character,
    /// not a line break, there), each as its Unicode scalars: found in the UTF-8 bytes, which is
    /// many times faster than splitting characters.
    static func lines(_ text: String) -> [[Unicode.Scalar]] {
        var lines: [[Unicode.Scalar]] = []
        var line: [Unicode.Scalar] = []
        var previous: Unicode.Scalar = "\0"
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previous != "\r" {
                lines.append(line)
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(scalar)
            }
            previous = scalar
        }
        lines.append(line)
        return lines
    }

    /// The `translated_from:` section: what each translation was made from.
    static func sources(
        _ node: Node?, _ file: YAMLFile, error: (Node?, StructureProblem) -> Void
    ) -> [MessageKey: TranslationSource] {
        guard let node else { return [:] }
        guard case .mapping(let entries) = node else {
            if node.scalarText?.isEmpty != true {
                error(node, .fieldType("translated_from is a mapping of message key to \"HASH English text\""))
            }
            return [:]
        }
        var sources: [MessageKey: TranslationSource] = [:]
        for (k, v) in entries {
            guard let key = k.scalarText, let value = v.scalarText,
                let source = TranslationSource.parse(value, location: file.location(k))
            else {
                error(
                    v,
                    .fieldType(
                        "a translated_from record is \"HASH English text\", as `consult translations mark-current` writes it"
                    ))
                continue
            }
            sources[MessageKey(key)] = source
        }
        return sources
    }
}
