#if canImport(Glibc)
import Glibc
#endif
@testable import ConsultStore
import Foundation

/// A PostgreSQL server of the test's own (Debian's `postgresql` package, which `make test`
/// installs): initdb'ed as the `postgres` user (initdb refuses root) in a temporary folder,
/// listening on a Unix socket in that folder only. Stopped when the test process exits.
final class PostgresServer: @unchecked Sendable {
    let folder: String
    private let bin: String

    /// The server most tests share (each takes a database of its own).
    static let shared = Result { try PostgresServer() }

    init() throws {
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted()
        guard let version = versions.last else {
            throw HarnessError("PostgreSQL is not installed: expected /usr/lib/postgresql/VERSION/bin (Debian's postgresql; `make test` installs it)")
        }
        bin = "/usr/lib/postgresql/\(version)/bin"
        var template = Array("/tmp/cpg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp /tmp/cpg-XXXXXX: \(String(cString: strerror(errno)))") }
        folder = String(cString: made)
        if getuid() == 0 {
            guard let postgres = getpwnam("postgres") else { throw HarnessError("there is no postgres user (Debian's postgresql package creates it)") }
            chown(folder, postgres.pointee.pw_uid, postgres.pointee.pw_gid)
        }
        try run("initdb", ["-D", "\(folder)/data", "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
        try start()
        Self.lock.lock()
        Self.running.append(self)
        if Self.running.count == 1 { atexit { PostgresServer.stopAll() } }
        Self.lock.unlock()
    }

    nonisolated(unsafe) private static var running: [PostgresServer] = []
    private static let lock = NSLock()

    static func stopAll() {
        for server in running {
            try? server.run("pg_ctl", ["-D", "\(server.folder)/data", "-m", "immediate", "stop"])
            try? FileManager.default.removeItem(atPath: server.folder)
        }
    }

    func start() throws {
        try run("pg_ctl", ["-D", "\(folder)/data", "-l", "\(folder)/log", "-w",
                           "-o", "-k \(folder) -c listen_addresses='' -c fsync=off -c full_page_writes=off", "start"])
    }

    /// Stops the server as a crash would (`-m immediate`).
    func crash() throws {
        try run("pg_ctl", ["-D", "\(folder)/data", "-m", "immediate", "-w", "stop"])
    }

    /// A new empty database; its store URL (the Unix-socket form of libpq's URL).
    func newDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresDatabase(try PostgresLocation(parsing: "postgresql:///postgres?host=\(folder)&user=postgres", place: "test"))
        defer { admin.close() }
        try admin.run("CREATE DATABASE \(name)")
        return url(name)
    }

    func url(_ database: String) -> String {
        "postgresql:///\(database)?host=\(folder)&user=postgres"
    }

    /// Runs one of the server's programs, as the postgres user when we are root.
    ///
    /// Not through Foundation's `Process`: on Linux it learns that a child has ended from the end of
    /// a socket the child inherits, and the server `pg_ctl start` leaves running inherits it too, so
    /// `waitUntilExit` never returned (and every test waiting for the shared server hung with it).
    /// Here the child keeps only its standard descriptors, and is waited for by its pid.
    private func run(_ program: String, _ arguments: [String]) throws {
        let executable = getuid() == 0 ? "/usr/sbin/runuser" : "\(bin)/\(program)"
        let argv = getuid() == 0 ? ["runuser", "-u", "postgres", "--", "\(bin)/\(program)"] + arguments : [program] + arguments
        let log = "\(folder)/\(program).out"
        let status = try spawnAndWait(executable, argv, output: log)
        guard status == 0 else {
            let text = FileManager.default.contents(atPath: log) ?? Data()
            throw HarnessError("\(program) \(arguments.joined(separator: " ")) exited \(status): \(String(decoding: text, as: UTF8.self))")
        }
    }
}

// glibc's (2.34+), which Swift's Glibc module does not show: they need _GNU_SOURCE.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func spawnChangeDirectory(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

/// Runs a program with standard input from /dev/null, standard output and error to `output`, no
/// other descriptor, in /tmp; waits for it by its pid. Its exit status (128 + N when killed by N).
func spawnAndWait(_ executable: String, _ argv: [String], output: String) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    _ = spawnCloseFrom(&actions, 3)
    _ = spawnChangeDirectory(&actions, "/tmp")
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // The test process's signal mask and ignored signals (SIGPIPE) are not the server's.
    var empty = sigset_t()
    sigemptyset(&empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
    var cArguments = argv.map { strdup($0) } + [nil]
    var cEnvironment = environment.map { strdup($0) } + [nil]
    defer {
        for p in cArguments { free(p) }
        for p in cEnvironment { free(p) }
    }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, &cArguments, &cEnvironment)
    guard spawned == 0 else { throw HarnessError("cannot run \(executable): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw HarnessError("waitpid \(pid): \(String(cString: strerror(errno)))") }
    }
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
