import Foundation

/// A file of public keys, one a line: the key string, then optionally a name after a blank
/// (`consult-recipient-1:... anna-petrova`). Blank lines and lines starting with `#` are comments.
/// Every mistake is reported at `file:line` with what was expected.
public struct KeyList<Key: Hashable & Sendable>: Sendable {
    public struct Entry: Sendable {
        public let key: Key
        /// The name after the key, empty when none.
        public let name: String
        public let line: Int
    }

    public let path: String
    public let entries: [Entry]

    public var keys: [Key] { entries.map(\.key) }

    /// The entry of `key`, if listed.
    public func entry(for key: Key) -> Entry? { entries.first { $0.key == key } }

    static func read(
        _ path: String, what: String, parse: (String) throws(SealingError) -> Key
    ) throws(SealingError) -> KeyList {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SealingError(.unreadable, path, "cannot read the \(what) file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SealingError(.malformed, path, "expected UTF-8 text")
        }
        // Whoever can write this file chooses who reads the records (recipients) or whose records
        // are believed (hosts): only its owner may.
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int,
            mode & 0o022 != 0
        {
            throw SealingError(
                .exposed, path, "others can write to the \(what) file (mode \(String(mode, radix: 8))): chmod go-w it")
        }
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            let place = "\(path):\(index + 1)"
            let key: Key
            do throws(SealingError) {
                key = try parse(String(fields[0]))
            } catch {
                throw SealingError(.malformed, place, error.message)
            }
            if let earlier = entries.first(where: { $0.key == key }) {
                throw SealingError(.malformed, place, "the same key as line \(earlier.line)")
            }
            let name = fields.count > 1 ? String(fields[1]).trimmingCharacters(in: .whitespaces) : ""
            entries.append(Entry(key: key, name: name, line: index + 1))
        }
        guard !entries.isEmpty else {
            throw SealingError(.malformed, path, "expected at least one key, one a line; found none")
        }
        return KeyList(path: path, entries: entries)
    }
}

public typealias RecipientList = KeyList<Recipient>
public typealias KnownHosts = KeyList<HostPublicKey>

extension KeyList where Key == Recipient {
    /// Reads a recipients file: the public keys every record is sealed to.
    public static func recipients(at path: String) throws(SealingError) -> RecipientList {
        try read(path, what: "recipients") { (text) throws(SealingError) -> Recipient in try Recipient(string: text) }
    }
}

extension KeyList where Key == HostPublicKey {
    /// Reads a file of the hosts whose records the office trusts (`consult keys host` prints a line of it).
    public static func hosts(at path: String) throws(SealingError) -> KnownHosts {
        try read(path, what: "known hosts") { (text) throws(SealingError) -> HostPublicKey in
            try HostPublicKey(string: text)
        }
    }
}
