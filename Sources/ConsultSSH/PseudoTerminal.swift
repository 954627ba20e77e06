import CPseudoTerminal
import Foundation
import NIOSSH

/// A failed system call, with what was being done.
struct SystemError: Error, CustomStringConvertible {
    let what: String
    let code: Int32

    var description: String { "\(what): \(String(cString: strerror(code)))" }
}

/// A consultation running in a pseudo-terminal of its own: the child is the leader of a new
/// session whose controlling terminal is the slave, so the terminal's signals (Ctrl-C, hang-up,
/// resize) reach it and nothing else.
struct ChildInTerminal {
    let pid: Int32
    /// The master side, close-on-exec; the caller owns it.
    let master: Int32

    static func spawn(
        arguments: [String], environment: [String: String], columns: Int, rows: Int,
        modes: SSHTerminalModes?
    ) throws -> ChildInTerminal {
        var master: Int32 = -1
        var path = [CChar](repeating: 0, count: 128)
        let clamp = { (value: Int, fallback: UInt16) -> UInt16 in value > 0 ? UInt16(min(value, 1000)) : fallback }
        var result = cpty_open(clamp(columns, 80), clamp(rows, 24), &master, &path, UInt(path.count))
        guard result == 0 else { throw SystemError(what: "openpty", code: result) }
        if let modes, !modes.modeMapping.isEmpty {
            let pairs = modes.modeMapping.map { ($0.key.rawValue, $0.value.rawValue) }
            result = cpty_apply_modes(master, pairs.map(\.0), pairs.map(\.1), Int32(pairs.count))
        } else {
            result = cpty_apply_modes(master, [], [], 0)
        }
        guard result == 0 else {
            close(master)
            throw SystemError(what: "terminal modes", code: result)
        }
        var pid: pid_t = 0
        result = withSpawnArguments(arguments, environment) { argv, envp in
            cpty_spawn(arguments[0], argv, envp, path, &pid)
        }
        guard result == 0 else {
            close(master)
            throw SystemError(what: "starting \(arguments[0])", code: result)
        }
        return ChildInTerminal(pid: pid, master: master)
    }

    /// Waits for the child on a thread of its own (there is no process event source on Linux),
    /// then calls `exited` with its status (128 + signal when a signal ended it).
    func whenExited(_ exited: @escaping @Sendable (Int) -> Void) {
        let pid = self.pid
        let thread = Thread {
            var status: Int32 = 0
            let result = cpty_wait(pid, &status)
            exited(result == 0 ? Int(status) : 255)
        }
        thread.name = "consult-sshd wait \(pid)"
        thread.stackSize = 64 * 1024
        thread.start()
    }

    static func resize(master: Int32, columns: Int, rows: Int) {
        guard columns > 0, rows > 0 else { return }
        _ = cpty_set_size(master, UInt16(min(columns, 1000)), UInt16(min(rows, 1000)))
    }
}

/// `body` with `arguments` and `environment` as the NULL-terminated C arrays `posix_spawn` takes
/// (the environment sorted by name), freed when it returns.
func withSpawnArguments<T>(
    _ arguments: [String], _ environment: [String: String],
    _ body: ([UnsafeMutablePointer<CChar>?], [UnsafeMutablePointer<CChar>?]) -> T
) -> T {
    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] =
        environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    return body(argv, envp)
}
