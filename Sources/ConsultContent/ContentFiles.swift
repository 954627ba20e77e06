import ConsultEngine
import ConsultLocalization
import Crypto
import Foundation

/// Every dialog and locale file's bytes, read once: what the content hash is computed from (the
/// hash a transcript records, and the content cache's key) and, on a cache miss, what is parsed.
/// Parsing the very bytes that were hashed means a cache entry can never hold content other than
/// the content its key names, even when a file changes while it is being read.
public struct ContentFiles: Sendable {
    /// One folder as listed: every name in it, and the bytes of its `*.yaml` and `*.yml` files
    /// (sorted by name; nil for a file that could not be read).
    struct Folder: Sendable {
        let url: URL
        let names: [String]
        let files: [(name: String, bytes: Data?)]

        init(_ url: URL) {
            self.url = url
            names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { name in
                (name, FileManager.default.contents(atPath: url.appendingPathComponent(name).path))
            }
        }
    }

    let dialogs: Folder
    let locales: Folder
    /// The SHA-256 of every file's folder, name and bytes, in hex: `ContentLocation.contentHash()`.
    public let hash: String

    /// Reads the folders now.
    public init(dialogs: URL, locales: URL) {
        self.dialogs = Folder(dialogs)
        self.locales = Folder(locales)
        var hasher = SHA256()
        for folder in [self.dialogs, self.locales] {
            for (name, bytes) in folder.files {
                hasher.update(data: Data((folder.url.lastPathComponent + "/" + name + "\n").utf8))
                hasher.update(data: bytes ?? Data())
            }
        }
        hash = Self.hex(hasher.finalize())
    }

    public init(_ location: ContentLocation) {
        self.init(dialogs: location.dialogs, locales: location.locales)
    }

    public var dialogsURL: URL { dialogs.url }
    public var localesURL: URL { locales.url }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The texts of a folder's files as loading reads them (`String(contentsOf:encoding: .utf8)`),
    /// nil when one could not be read or is not UTF-8: loading then reads the folder itself, so
    /// that the problem is reported as it always was.
    static func texts(_ files: [(name: String, bytes: Data?)]) -> [(name: String, text: String)]? {
        var texts: [(name: String, text: String)] = []
        for (name, bytes) in files {
            guard let bytes, let text = String(bytes: bytes, encoding: .utf8) else { return nil }
            texts.append((name, text))
        }
        return texts
    }
}

extension ContentLocation {
    /// A hash of every dialog and locale file (names and bytes), so that a lawyer knows which
    /// content a consultation used and a long-running front end knows when to load it again.
    public func contentHash() -> String {
        ContentFiles(self).hash
    }
}

extension Linter {
    /// Lints files already read (`ContentFiles`), as `lint(dialogs:locales:typography:)` lints the folders.
    public static func lint(_ files: ContentFiles, typography: Bool = true) -> LintReport {
        guard let dialogTexts = ContentFiles.texts(files.dialogs.files),
            let localeTexts = ContentFiles.texts(files.locales.files.filter { $0.name.hasSuffix(".yaml") })
        else {
            return lint(dialogs: files.dialogs.url, locales: files.locales.url, typography: typography)
        }
        let loaded = DialogLoader.load(texts: dialogTexts, displayPrefix: displayPath(files.dialogs.url))
        var diagnostics = loaded.diagnostics
        let catalogs = CatalogLoader.load(
            texts: localeTexts, folderIsEmpty: files.locales.names.isEmpty,
            displayPrefix: displayPath(files.locales.url),
            typography: typography, into: &diagnostics)
        return crossCheck(loaded, catalogs: catalogs, diagnostics: diagnostics)
    }
}
