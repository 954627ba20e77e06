import ConsultEngine
import Crypto
import Foundation

/// What a translated message was made from, as its locale file records it under `translated_from:`
/// (Yarn Spinner's way: the short hash of the English source), with the English text itself so that
/// lint can show a translator what changed since, without the history of the files:
///
///     translated_from:
///       app.title: "5d41402a Migration law office: consultation assistant"
public struct TranslationSource: Sendable, Hashable, Codable {
    /// The first 8 hex digits of the SHA-256 of the English text (UTF-8).
    public let hash: String
    /// The English text the translation was made from.
    public let english: String
    /// Where the record's key is written.
    public let location: SourceLocation

    public init(hash: String, english: String, location: SourceLocation) {
        self.hash = hash
        self.english = english
        self.location = location
    }

    /// The short hash of an English message's text.
    public static func hash(_ english: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(8)
        for byte in SHA256.hash(data: Data(english.utf8)).prefix(4) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a record's value, `"HASH English text"`; nil when it is not of that form.
    static func parse(_ value: String, location: SourceLocation) -> TranslationSource? {
        // The usual record, read in its UTF-8 bytes: eight lower-case ASCII hex digits, then nothing,
        // or a space and text whose first character is ASCII (so it cannot join the space).
        let utf8 = value.utf8
        func isHex(_ b: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
        }
        if utf8.count >= 8 {
            let hashEnd = utf8.index(utf8.startIndex, offsetBy: 8)
            if utf8[..<hashEnd].allSatisfy(isHex) {
                let hash = String(Substring(utf8[..<hashEnd]))
                if hashEnd == utf8.endIndex { return TranslationSource(hash: hash, english: "", location: location) }
                guard utf8[hashEnd] == UInt8(ascii: " ") else { return nil }
                let textStart = utf8.index(after: hashEnd)
                if textStart == utf8.endIndex || utf8[textStart] < 0x80 {
                    return TranslationSource(
                        hash: hash, english: String(Substring(utf8[textStart...])), location: location)
                }
            }
        }
        // Anything else, character by character.
        let hash = value.prefix(8)
        guard hash.count == 8, hash.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        let rest = value.dropFirst(8)
        guard rest.isEmpty || rest.first == " " else { return nil }
        return TranslationSource(hash: String(hash), english: String(rest.dropFirst()), location: location)
    }

    /// The record's line in a locale file, for `english`: `  KEY: "HASH text"`.
    public static func line(_ key: MessageKey, english: String) -> String {
        "  \(yamlKey(key.rawValue)): \(doubleQuoted(hash(english) + " " + english))"
    }

    static func yamlKey(_ key: String) -> String {
        let plain =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "._-".unicodeScalars.contains($0)
            }
        return plain ? key : doubleQuoted(key)
    }

    /// A YAML double-quoted scalar on one line: backslash, quote and control characters escaped.
    public static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x85 || scalar.value == 0x2028
                    || scalar.value == 0x2029
                {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Whether a message of a language is translated from the English there is now.
public enum TranslationFreshness: Sendable, Hashable {
    /// Made from the English as it is (the hashes agree).
    case current
    /// Made from other English: the record says which.
    case stale(TranslationSource)
    /// Translated, but no record says from what.
    case unrecorded
    /// Not in the language at all (the applicant reads English).
    case missing
}

extension Catalog {
    /// How the message `key` of this (translated) catalog stands against `english`'s.
    public func freshness(of key: MessageKey, english: Catalog) -> TranslationFreshness {
        freshness(of: key, englishHash: english.texts[key].map(TranslationSource.hash))
    }

    /// `freshness(of:english:)` given the English text's short hash (nil: no English text).
    public func freshness(of key: MessageKey, englishHash: String?) -> TranslationFreshness {
        guard locations[key] != nil else { return .missing }
        guard let source = sources[key] else { return .unrecorded }
        guard let englishHash, source.hash == englishHash else { return .stale(source) }
        return .current
    }
}

/// One language's figures for `consult translations status`.
public struct TranslationCoverage: Sendable, Hashable, Encodable {
    public let language: String
    /// The English messages.
    public let total: Int
    public let translated: Int
    public let missing: Int
    /// Translated from English that has changed since.
    public let stale: Int
    /// Translated with no record of the English it was made from.
    public let unrecorded: Int
    /// Translated from the English there is now.
    public let current: Int

    public init(_ catalog: Catalog, english: Catalog) {
        var counts: [String: Int] = [:]
        for key in english.locations.keys {
            switch catalog.language == english.language ? .current : catalog.freshness(of: key, english: english) {
            case .current: counts["current", default: 0] += 1
            case .stale: counts["stale", default: 0] += 1
            case .unrecorded: counts["unrecorded", default: 0] += 1
            case .missing: counts["missing", default: 0] += 1
            }
        }
        language = catalog.language
        total = english.locations.count
        missing = counts["missing"] ?? 0
        translated = total - missing
        stale = counts["stale"] ?? 0
        unrecorded = counts["unrecorded"] ?? 0
        current = counts["current"] ?? 0
    }

    /// `es: 312 messages, 310 translated (99.4%), 2 missing, 1 stale, 0 unrecorded, 309 current (99.0%)`.
    public var summary: String {
        func percent(_ n: Int) -> String {
            total == 0 ? "100%" : String(format: "%.1f%%", Double(n) * 100 / Double(total))
        }
        return "\(language): \(total) messages, \(translated) translated (\(percent(translated))), \(missing) missing, "
            + "\(stale) stale, \(unrecorded) unrecorded, \(current) current (\(percent(current)))"
    }
}
