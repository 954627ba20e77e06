import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `/proc` says about processes: command lines, parents, memory, CPU time.
public enum ProcessTable {
    public struct Entry: Sendable {
        public let pid: pid_t
        public let arguments: [String]
    }

    /// Every process whose command line satisfies `condition` (zombies left out).
    public static func processes(where condition: ([String]) -> Bool) -> [Entry] {
        var found: [Entry] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                !data.isEmpty
            else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if condition(arguments) && state(pid) != "Z" { found.append(Entry(pid: pid, arguments: arguments)) }
        }
        return found
    }

    /// The running consultations (a `…/consult` process) with `dataDirectory` on their command line.
    public static func consultations(_ dataDirectory: URL) -> [pid_t] {
        processes { $0.first?.hasSuffix("/consult") == true && $0.contains(dataDirectory.path) }.map(\.pid)
    }

    /// Fields of /proc/PID/stat after the command name: state, parent, …
    private static func statFields(_ pid: pid_t) -> [Substring] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.range(of: ")", options: .backwards)
        else { return [] }
        return text[close.upperBound...].split(separator: " ")
    }

    public static func state(_ pid: pid_t) -> String? {
        statFields(pid).first.map(String.init)
    }

    public static func parent(_ pid: pid_t) -> pid_t? {
        let fields = statFields(pid)
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    /// User and system CPU time of `pid`, in seconds; 0 when it cannot be read.
    public static func cpuSeconds(_ pid: pid_t) -> Double {
        let fields = statFields(pid)
        // After the command: state is field 3, utime 14, stime 15 (1-based, whole line).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Children, grandchildren… of `pid`, parents before their children.
    public static func descendants(of pid: pid_t) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = pid_t(entry), let parent = parent(child) else { continue }
            children[parent, default: []].append(child)
        }
        var result: [pid_t] = []
        var queue = children[pid] ?? []
        while !queue.isEmpty {
            let next = queue.removeFirst()
            result.append(next)
            queue += children[next] ?? []
        }
        return result
    }

    /// A `Name:   1234 kB` line of /proc/PID/status (VmRSS) or smaps_rollup (Pss), in KiB.
    private static func kilobytes(_ file: String, _ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// Resident set size in KiB.
    public static func rss(_ pid: pid_t) -> Int? {
        kilobytes("/proc/\(pid)/status", "VmRSS")
    }

    /// The peak resident set size (VmHWM) in KiB.
    public static func peakRSS(_ pid: pid_t) -> Int? {
        kilobytes("/proc/\(pid)/status", "VmHWM")
    }

    /// Proportional set size in KiB (shared pages divided among the processes sharing them).
    public static func pss(_ pid: pid_t) -> Int? {
        kilobytes("/proc/\(pid)/smaps_rollup", "Pss")
    }

    /// The process's command line as `ps` shows it (sshd renames its session processes).
    public static func commandLine(_ pid: pid_t) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }
}
