import ConsultEngine
import Foundation
import Yams

/// Reads `locales/*.yaml` into catalogs, reporting each problem at its line and column.
public enum CatalogLoader {
    /// The `typography:` section: `no_break_after` and `no_break_before`, lists of words.
    static func typography(_ node: Node?, error: (Node?, String, String) -> Void) -> Typography? {
        guard let node else { return Typography() }
        guard case .mapping(let entries) = node else {
            error(node, "typography is a mapping with no_break_after and no_break_before, lists of words", "field-type")
            return nil
        }
        var typography = Typography()
        for (k, v) in entries {
            guard case .sequence(let items) = v, items.allSatisfy({ $0.scalarText?.isEmpty == false }) else {
                error(v, "'\(k.scalarText ?? "?")' is a list of words, e.g. [\"str.\", \"No.\"]", "field-type")
                continue
            }
            let words = items.compactMap(\.scalarText)
            switch k.scalarText {
            case "no_break_after": typography.noBreakAfter = words
            case "no_break_before": typography.noBreakBefore = words
            default: error(k, "typography has no_break_after and no_break_before only", "unknown-field")
            }
        }
        return typography
    }

    static let headerKeys: Set<String> = ["language", "name", "formatting_locale", "plural_rules", "words", "commands", "list", "messages", "typography"]

    /// The terminal commands every locale names words for.
    public static let commandNames = ["help", "back", "change", "summary", "why", "language", "restart", "quit"]

    /// Loads every `*.yaml` file of `directory` (README and others are ignored).
    public static func loadDirectory(_ directory: URL, displayPrefix: String, typography: Bool = true,
                                     into diagnostics: inout [Diagnostic]) -> [Catalog] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        if files.isEmpty {
            diagnostics.append(Diagnostic(.error, SourceLocation(file: displayPrefix, line: 1, column: 1),
                                          "no locale files found (expected en.yaml, es.yaml, ru.yaml)", id: "no-locales"))
        }
        return files.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { name in
            let display = displayPrefix.isEmpty ? name : "\(displayPrefix)/\(name)"
            guard let file = YAMLFile.load(directory.appendingPathComponent(name), displayPath: display, into: &diagnostics) else { return nil }
            return load(file, expectedLanguage: String(name.dropLast(5)), typography: typography, into: &diagnostics)
        }
    }

    /// - Parameter checkTypography: warn where a non-breaking space belongs (lint).
    public static func load(_ file: YAMLFile, expectedLanguage: String?, typography checkTypography: Bool = true,
                            into diagnostics: inout [Diagnostic]) -> Catalog? {
        func error(_ node: Node?, _ message: String, _ id: String) {
            diagnostics.append(Diagnostic(.error, file.location(node), message, id: id))
        }
        guard let root = file.root, case .mapping(let mapping) = root else {
            error(file.root, "a locale file is a mapping with language, name, formatting_locale, plural_rules, words, list and messages", "locale-shape")
            return nil
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.scalarText, headerKeys.contains(name) else {
                error(key, "unknown field '\(key.scalarText ?? "?")' in a locale file (expected one of: \(headerKeys.sorted().joined(separator: ", ")))", "unknown-field")
                continue
            }
            fields[name] = value
        }
        func text(_ name: String) -> String? {
            guard let node = fields[name] else {
                error(root, "missing '\(name)'", "missing-field")
                return nil
            }
            guard let s = node.scalarText, !s.isEmpty else {
                error(node, "'\(name)' must be a single value", "field-type")
                return nil
            }
            return s
        }
        let language = text("language") ?? expectedLanguage ?? "?"
        if let expectedLanguage, language != expectedLanguage, fields["language"] != nil {
            error(fields["language"], "the language '\(language)' does not match the file name \(expectedLanguage).yaml", "language-mismatch")
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
                error(node, "plural_rules is a mapping of category to CLDR condition, e.g. one: \"i = 1 and v = 0\"", "field-type")
            }
        } else {
            error(root, "missing 'plural_rules' (an empty mapping {} for a language with one form)", "missing-field")
        }
        var plurals = PluralRules(rules: [])
        do throws(PluralRuleError) {
            plurals = try PluralRules(pluralPairs)
        } catch let e {
            let node = (fields["plural_rules"]?.mapping).flatMap { m in m.first(where: { $0.key.scalarText == e.category })?.value }
            error(node ?? fields["plural_rules"], e.message, "plural-rule")
        }

        var yes: [String] = []
        var no: [String] = []
        if case .mapping(let words)? = fields["words"] {
            for (k, v) in words {
                let list = v.sequence?.compactMap(\.scalarText) ?? []
                switch k.scalarText {
                case "yes": yes = list
                case "no": no = list
                default: error(k, "words has 'yes' and 'no' lists only", "unknown-field")
                }
            }
        }
        if yes.isEmpty || no.isEmpty {
            error(fields["words"] ?? root, "words needs non-empty 'yes' and 'no' lists", "missing-field")
        }

        var commands: [String: [String]] = [:]
        if let node = fields["commands"] {
            if case .mapping(let entries) = node {
                for (k, v) in entries {
                    guard let name = k.scalarText, commandNames.contains(name) else {
                        error(k, "unknown command '\(k.scalarText ?? "?")' (commands are \(commandNames.joined(separator: ", ")))", "unknown-field")
                        continue
                    }
                    guard case .sequence(let items) = v, !items.isEmpty else {
                        error(v, "the command '\(name)' needs a list of words, e.g. [back]", "field-type")
                        continue
                    }
                    commands[name] = items.compactMap(\.scalarText).map { $0.lowercased() }
                }
            } else {
                error(node, "commands is a mapping of command name to a list of words", "field-type")
            }
            for name in commandNames where commands[name] == nil {
                error(node, "commands lacks '\(name)' (every locale names words for \(commandNames.joined(separator: ", ")))", "missing-command")
            }
        } else {
            error(root, "missing 'commands' (the words for \(commandNames.joined(separator: ", ")))", "missing-field")
        }

        var listPatterns = ListPatterns(pair: "{0}, {1}", middle: "{0}, {1}", last: "{0}, {1}")
        if case .mapping(let list)? = fields["list"] {
            var p: [String: String] = [:]
            for (k, v) in list { p[k.scalarText ?? ""] = v.scalarText }
            if let pair = p["pair"], let middle = p["middle"], let last = p["last"] {
                listPatterns = ListPatterns(pair: pair, middle: middle, last: last)
            } else {
                error(fields["list"], "list needs 'pair', 'middle' and 'last' patterns with {0} and {1}", "missing-field")
            }
        } else {
            error(fields["list"] ?? root, "missing 'list' (pair, middle, last)", "missing-field")
        }

        var messages: [MessageKey: MessageFormat] = [:]
        var locations: [MessageKey: SourceLocation] = [:]
        if case .mapping(let entries)? = fields["messages"] {
            for (k, v) in entries {
                guard let keyText = k.scalarText, !keyText.isEmpty else {
                    error(k, "a message key is a name such as vks.outcome.vks_rp_eligible", "message-key")
                    continue
                }
                let key = MessageKey(keyText)
                if locations[key] != nil {
                    error(k, "the message '\(keyText)' is written twice (first at line \(locations[key]!.line))", "duplicate-key")
                    continue
                }
                locations[key] = file.location(k)
                guard let body = v.scalarText else {
                    error(v, "the message '\(keyText)' must be text, not \(v.kindDescription)", "message-type")
                    continue
                }
                do throws(MessageFormatError) {
                    messages[key] = try MessageFormat.parse(body)
                } catch let e {
                    diagnostics.append(Diagnostic(.error, file.location(v, offset: e.offset),
                                                  "in message '\(keyText)': \(e.message)", id: "message-syntax"))
                }
            }
        } else {
            error(fields["messages"] ?? root, "missing 'messages' (a mapping of key to text)", "missing-field")
        }
        if let typography = typography(fields["typography"], error: error), checkTypography,
           case .mapping(let entries)? = fields["messages"] {
            // Where each value ends: the next key written after it, in the messages or at the top.
            let keyMarks = (mapping.keys.map(\.mark) + entries.keys.map(\.mark)).compactMap { $0 }
                .sorted { ($0.line, $0.column) < ($1.line, $1.column) }
            let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
            for (k, v) in entries {
                guard let key = k.scalarText, let start = v.mark else { continue }
                let end = keyMarks.first { ($0.line, $0.column) > (start.line, start.column) }
                let characters = Typography.characters(of: v, until: end, lines: lines)
                diagnostics += typography.check(characters, key: key, file: file.path)
            }
        }
        return Catalog(language: language, name: name, formattingLocale: formattingLocale, plurals: plurals,
                       yesWords: yes, noWords: no, list: listPatterns, commands: commands, messages: messages, locations: locations,
                       file: file.path)
    }
}
