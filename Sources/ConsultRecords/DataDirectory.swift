import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where transcripts and appointment requests are kept: `--data-dir`, else `$CONSULT_DATA_DIR`,
/// else `$XDG_DATA_HOME/consult`, else `~/.local/share/consult`. Created with mode 0700, its
/// `transcripts/` and `appointments/` folders too.
public struct DataDirectory: Sendable {
    public let url: URL
    /// With recipients configured, what the records written here are sealed with (`RecordSealing`).
    public var sealing: RecordSealing?

    public init(_ url: URL) {
        self.url = url
    }

    public static func resolve(
        _ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> DataDirectory {
        if let option, !option.isEmpty { return DataDirectory(URL(fileURLWithPath: option)) }
        if let env = environment["CONSULT_DATA_DIR"], !env.isEmpty { return DataDirectory(URL(fileURLWithPath: env)) }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return DataDirectory(URL(fileURLWithPath: xdg).appendingPathComponent("consult"))
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return DataDirectory(URL(fileURLWithPath: home).appendingPathComponent(".local/share/consult"))
    }

    public var transcripts: URL { url.appendingPathComponent("transcripts") }
    public var appointments: URL { url.appendingPathComponent("appointments") }
    /// The answers kept for applicants who continue later with a code (`ResumeStore`).
    public var resume: URL { url.appendingPathComponent("resume") }
    /// This machine's signing key for sealed records (made on first use, 0600).
    public var hostKey: URL { url.appendingPathComponent("host.key") }

    /// Creates the folders (0700) and checks that a file can be written there.
    public func prepare() throws(RecordError) {
        // The parents too (a fresh account has no ~/.local/share), each new one 0700.
        var parents: [URL] = []
        var parent = url.deletingLastPathComponent()
        while parent.path != "/" && !FileManager.default.fileExists(atPath: parent.path) {
            parents.insert(parent, at: 0)
            parent = parent.deletingLastPathComponent()
        }
        for dir in parents + [url, transcripts, appointments] {
            if mkdir(dir.path, 0o700) != 0 && errno != EEXIST {
                throw RecordError.unwritable(dir.path, String(cString: strerror(errno)))
            }
        }
        let probe = transcripts.appendingPathComponent(".probe-\(getpid())")
        let fd = open(probe.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RecordError.unwritable(transcripts.path, String(cString: strerror(errno))) }
        close(fd)
        unlink(probe.path)
    }
}

/// Why a record could not be written or read.
public enum RecordError: Error, CustomStringConvertible, Sendable {
    case unwritable(String, String)
    case writeFailed(String, String)
    case notFound(String)
    /// The transcript reached its size limit (bytes): not a failure, the consultation ends.
    case limitReached(String, Int)
    /// A record that is not what this program writes, and why.
    case unreadable(String)

    /// Why, without the path.
    public var reason: String {
        switch self {
        case .unwritable(_, let why), .writeFailed(_, let why), .unreadable(let why): return why
        case .notFound: return "it does not exist"
        case .limitReached(_, let limit): return "it reached its size limit of \(limit) bytes"
        }
    }

    public var description: String {
        switch self {
        case .unwritable(let path, let why): return "cannot write to \(path): \(why)"
        case .writeFailed(let path, let why): return "writing \(path) failed: \(why)"
        case .notFound(let what): return "no record \(what)"
        case .limitReached(let path, let limit): return "\(path) reached its size limit of \(limit) bytes"
        case .unreadable(let why): return why
        }
    }
}

/// Random identifiers people can read aloud: no 0/O, 1/I/L, and not guessable from the previous one.
public enum Identifier {
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")

    public static func random(groups: Int, length: Int = 4) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<groups).map { _ in
            String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
        }.joined(separator: "-")
    }
}
