import CBenchTerminal
import Foundation

/// A program in a pseudo-terminal of its own, as an applicant's terminal or an SSH session gives it.
final class TerminalProgram {
    let pid: pid_t
    let master: Int32
    private(set) var output: [UInt8] = []

    init(_ path: String, _ arguments: [String], environment: [String: String]) throws {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var master: Int32 = -1
        let result = bench_spawn_in_terminal(path, argv, envp, &master, &pid)
        guard result == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(result)))") }
        self.pid = pid
        self.master = master
    }

    /// Reads until `marker` has appeared `count` times in all the output so far.
    func wait(for marker: [UInt8], count: Int = 1, timeout: Duration = .seconds(20)) throws {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while occurrences(of: marker) < count {
            guard ContinuousClock.now < deadline else {
                throw BenchError("no \(String(decoding: marker, as: UTF8.self)) within \(timeout): \(String(decoding: output.suffix(400), as: UTF8.self))")
            }
            let n = buffer.withUnsafeMutableBytes { bench_read(master, $0.baseAddress, UInt($0.count), 100) }
            if n < 0 { throw BenchError("the program ended: \(String(decoding: output.suffix(400), as: UTF8.self))") }
            output += buffer[0..<Int(n)]
        }
    }

    func occurrences(of marker: [UInt8]) -> Int {
        guard !marker.isEmpty, output.count >= marker.count else { return 0 }
        var count = 0
        var i = 0
        while i <= output.count - marker.count {
            if output[i] == marker[0] && output[i..<(i + marker.count)].elementsEqual(marker) {
                count += 1
                i += marker.count
            } else {
                i += 1
            }
        }
        return count
    }

    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    func end() { bench_end(pid, master) }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
