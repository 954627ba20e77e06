import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a harness step failed; the description carries what the program or the terminal showed,
/// so that a failure can be read without running the test again.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// A word quoted for `sh`.
public func shellQuoted(_ word: String) -> String {
    "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Programs started with `posix_spawn` and waited for with `waitpid`, their output in files.
///
/// Not Foundation's `Process`: its `waitUntilExit` hung for good when two tests started tmux at
/// the same moment. Not pipes: the server that `tmux new-session` forks keeps whatever descriptors
/// it inherits, so reading a pipe to its end could wait as long as the server lives (ours, or
/// another test's `Process` pipe inherited by it). Hence the closing of every descriptor from 3 up
/// in the child (`posix_spawn_file_actions_addclosefrom_np`, glibc 2.34+, looked up at run time;
/// `POSIX_SPAWN_CLOEXEC_DEFAULT` on Darwin).
public enum Spawn {
    /// Starts `executable` and waits for it; its exit status (``waitForExit(_:)``).
    public static func spawnAndWait(
        _ executable: String, _ arguments: [String], environment: [String: String],
        output: String, error: String
    ) throws -> Int32 {
        try waitForExit(try spawn(executable, arguments, environment: environment, output: output, error: error))
    }

    /// Runs `executable` to its end with standard output and error together in a new file of
    /// `scratch` (named after `name`): its exit status and what it printed.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"],
        scratch: URL, name: String = "run"
    ) throws -> (status: Int32, output: String) {
        let out = scratch.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).out")
        let status = try spawnAndWait(
            executable, arguments, environment: environment, output: out.path, error: out.path)
        return (status, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }

    /// Runs `arguments` (the program first) to its end without blocking a thread of the test
    /// runner's pool, its output in new files of `scratch`: exit status, standard output and error.
    public static func runAsync(
        _ arguments: [String], environment: [String: String], scratch: URL, name: String = "client",
        timeout: Double = 60
    ) async throws -> (status: Int32, output: String, error: String) {
        let id = UUID().uuidString.prefix(8)
        let out = scratch.appendingPathComponent("\(name)-\(id).out")
        let err = scratch.appendingPathComponent("\(name)-\(id).err")
        let child = try spawn(
            arguments[0], Array(arguments.dropFirst()), environment: environment, output: out.path, error: err.path)
        let status = try await exitStatus(of: child, timeout: timeout)
        return (
            status, (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        )
    }

    /// Starts `executable` without waiting; standard input is `/dev/null` or the descriptor `input`
    /// (a pipe's read end), standard output and error go to the files `output` and `error`.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String],
        input: Int32? = nil, output: String, error: String
    ) throws -> pid_t {
        #if canImport(Glibc)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t?
            var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, error, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // The calling thread's signal mask and dispositions are the test runner's (its worker
        // threads block most signals): a tmux server that inherits them never sees its children
        // exit, ignores kill-server and SIGTERM, and passes the mask on to the program under test.
        var noSignals = sigset_t()
        var allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        #if canImport(Glibc)
            typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
                _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            }
        #elseif canImport(Darwin)
            flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw HarnessError(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// Waits for `pid`; its exit status, or 128 + the signal that ended it.
    public static func waitForExit(_ pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw HarnessError(description: "waitpid: \(String(cString: strerror(errno)))")
            }
        }
        return exitStatus(status)
    }

    /// `pid`'s exit status if it has ended (reaped now), else nil; never blocks.
    public static func reaped(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return exitStatus(status)
    }

    /// Polls for `pid`'s end without blocking a thread of the test runner's pool; kills it after
    /// `timeout` seconds.
    public static func exitStatus(of pid: pid_t, timeout: Double) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = reaped(pid) { return status }
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                _ = try? waitForExit(pid)
                throw HarnessError(description: "process \(pid) did not end within \(timeout) s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A status from `waitpid`: the exit status, or 128 + the signal (WIFEXITED / WEXITSTATUS,
    /// which Swift does not import: they are macros).
    public static func exitStatus(_ status: Int32) -> Int32 {
        status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
