import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where `dialogs/` and `locales/` are read from, and why there.
///
/// Content is what the applicant reads (the office's phone number among it), so it never comes
/// from the working directory by accident: it comes from `--dialogs`/`--locales`, from
/// `CONSULT_CONTENT` (a folder holding both), from the install prefix's `share/consult` beside the
/// executable's `bin/`, or from the checkout the executable was built in. A folder or file that
/// someone other than its owner (root or this user) could change is refused, as the SSH host key is.
public struct ContentLocation: Sendable, Equatable {
    public let dialogs: URL
    public let locales: URL
    /// How the location was chosen, for messages: "--dialogs/--locales", "CONSULT_CONTENT", …
    public let source: String

    public init(dialogs: URL, locales: URL, source: String) {
        self.dialogs = dialogs
        self.locales = locales
        self.source = source
    }

    /// The environment variable naming a folder that holds `dialogs/` and `locales/`.
    public static let environmentVariable = "CONSULT_CONTENT"

    /// Finds the content. Given paths win (each on its own); then `CONSULT_CONTENT`; then, from the
    /// executable's folder upwards, the first `share/consult` or checkout holding `dialogs/`.
    /// With `editing` (lint: someone checking the copy they edit), `./dialogs` and `./locales` come
    /// before the installed content.
    public static func locate(
        dialogs: String?, locales: String?, editing: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: String = CommandLine.arguments.first ?? ".",
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) -> ContentLocation {
        let (root, source) = defaultRoot(
            editing: editing, environment: environment, executable: executable,
            workingDirectory: workingDirectory)
        let explicit = dialogs != nil || locales != nil
        return ContentLocation(
            dialogs: dialogs.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("dialogs"),
            locales: locales.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("locales"),
            source: explicit ? "--dialogs/--locales" : source)
    }

    private static func defaultRoot(
        editing: Bool, environment: [String: String], executable: String,
        workingDirectory: String
    ) -> (URL, String) {
        let fm = FileManager.default
        if let folder = environment[environmentVariable], !folder.isEmpty {
            return (URL(fileURLWithPath: folder), environmentVariable)
        }
        func holdsContent(_ url: URL) -> Bool { fm.fileExists(atPath: url.appendingPathComponent("dialogs").path) }
        if editing {
            let here = URL(fileURLWithPath: workingDirectory)
            if holdsContent(here) { return (here, "the current directory") }
        }
        // Resolved: a symlink in a bin/ folder names the real install or build folder.
        var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates: [URL] = []
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("share/consult"))
            candidates.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        let found = candidates.first(where: holdsContent) ?? candidates[0]
        return (found, "beside the executable")
    }

    /// A file or folder of the content that others could change, and why.
    public struct Unsafe: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// A content folder or file that is missing is left to loading (which names it); one that a
    /// user other than root or this process's user owns, or that its group or others may write,
    /// is refused: whoever can change it can change what applicants read.
    public func checkOnlyOwnerCanChange() throws(Unsafe) {
        for folder in [dialogs, locales] {
            // The folder holding it too: whoever can write there can replace the whole folder.
            try Self.check(folder.deletingLastPathComponent().path, isFolder: true)
            try Self.check(folder.path, isFolder: true)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                try Self.check(folder.appendingPathComponent(name).path, isFolder: false)
            }
        }
    }

    private static func check(_ path: String, isFolder: Bool) throws(Unsafe) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let mode = info.st_mode & 0o7777
        let owner = info.st_uid
        if owner != 0 && owner != geteuid() {
            let name = getpwuid(owner).flatMap { String(validatingCString: $0.pointee.pw_name) } ?? "uid \(owner)"
            throw Unsafe(
                path: path,
                reason:
                    "owned by \(name), who could change what applicants read; chown it to root or to the user running consult"
            )
        }
        // A sticky folder (such as /tmp) lets others add entries but not replace ours.
        let writableByOthers = mode & 0o022 != 0 && !(isFolder && mode & 0o1000 != 0)
        if writableByOthers {
            throw Unsafe(
                path: path,
                reason:
                    "can be changed by others (mode \(String(mode, radix: 8))), and applicants would read what they write; chmod go-w it"
            )
        }
    }
}
