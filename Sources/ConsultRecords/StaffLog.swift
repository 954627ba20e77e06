import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a front end facing applicants tells the staff: one line per event appended to
/// `logs/consult.log` in the data directory (mode 0600). The applicant's terminal is never the
/// place for it. A log that cannot be written is skipped: it must not stop a consultation.
public struct StaffLog: Sendable {
    public let url: URL

    public init(directory: DataDirectory) {
        url = directory.url.appendingPathComponent("logs/consult.log")
    }

    /// Appends `message` with the time, the process and `fields` (key=value, values quoted when needed).
    public func log(_ level: String, _ message: String, _ fields: [(String, String)] = []) {
        let folder = url.deletingLastPathComponent()
        if mkdir(folder.path, 0o700) != 0 && errno != EEXIST { return }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var line = "\(TranscriptWriter.timestamp(Date())) \(level) consult[\(getpid())]: \(Self.oneLine(message))"
        for (key, value) in fields { line += " \(key)=\(Self.quoted(value))" }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Newlines and control characters escaped: one event, one line, nothing a terminal obeys.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                out += String(format: "\\x%02x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func quoted(_ value: String) -> String {
        let escaped = oneLine(value)
        return escaped.contains(" ") || escaped.contains("\"") || escaped.isEmpty
            ? "\"" + escaped.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : escaped
    }
}
