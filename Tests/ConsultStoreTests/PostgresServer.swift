import ConsultTestSupport
import Foundation

@testable import ConsultStore

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server of the test's own (Debian's `postgresql` package, which `make test`
/// installs): initdb'ed as the `postgres` user (initdb refuses root) in a temporary folder,
/// listening on a Unix socket in that folder only. Stopped when the test process exits.
final class PostgresServer: @unchecked Sendable {
    let folder: String
    private let bin: String
    /// Commits reach the disk (fsync on) as in production; the tests' servers skip that.
    let durable: Bool

    /// The server most tests share (each takes a database of its own).
    static let shared = Result { try PostgresServer() }

    init(durable: Bool = false) throws {
        self.durable = durable
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(
            Int.init
        ).sorted()
        guard let version = versions.last else {
            throw HarnessError(
                description:
                    "PostgreSQL is not installed: expected /usr/lib/postgresql/VERSION/bin (Debian's postgresql; `make test` installs it)"
            )
        }
        bin = "/usr/lib/postgresql/\(version)/bin"
        var template = Array("/tmp/cpg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw HarnessError(description: "mkdtemp /tmp/cpg-XXXXXX: \(String(cString: strerror(errno)))")
        }
        folder = String(cString: made)
        if getuid() == 0 {
            guard let postgres = getpwnam("postgres") else {
                throw HarnessError(description: "there is no postgres user (Debian's postgresql package creates it)")
            }
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
        try run(
            "pg_ctl",
            [
                "-D", "\(folder)/data", "-l", "\(folder)/log", "-w",
                "-o", "-k \(folder) -c listen_addresses=''" + (durable ? "" : " -c fsync=off -c full_page_writes=off"),
                "start",
            ])
    }

    /// Stops the server as a crash would (`-m immediate`).
    func crash() throws {
        try run("pg_ctl", ["-D", "\(folder)/data", "-m", "immediate", "-w", "stop"])
    }

    /// A new empty database; its store URL (the Unix-socket form of libpq's URL).
    func newDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresDatabase(
            try PostgresLocation(parsing: "postgresql:///postgres?host=\(folder)&user=postgres", place: "test"))
        defer { admin.close() }
        try admin.run("CREATE DATABASE \(name)")
        return url(name)
    }

    func url(_ database: String) -> String {
        "postgresql:///\(database)?host=\(folder)&user=postgres"
    }

    /// Runs one of the server's programs, as the postgres user when we are root, to its end.
    ///
    /// Not through Foundation's `Process`: on Linux it learns that a child has ended from the end of
    /// a socket the child inherits, and the server `pg_ctl start` leaves running inherited it too,
    /// so `waitUntilExit` never returned (and every test waiting for the shared server hung with
    /// it). `Spawn` closes every descriptor from 3 up in the child and waits for its pid.
    private func run(_ program: String, _ arguments: [String]) throws {
        let executable = getuid() == 0 ? "/usr/sbin/runuser" : "\(bin)/\(program)"
        let argv = getuid() == 0 ? ["-u", "postgres", "--", "\(bin)/\(program)"] + arguments : arguments
        let log = "\(folder)/\(program).out"
        let status = try Spawn.spawnAndWait(
            executable, argv, environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"],
            output: log, error: log + ".err")
        guard status == 0 else {
            let text = [log, log + ".err"].compactMap { FileManager.default.contents(atPath: $0) }.map {
                String(decoding: $0, as: UTF8.self)
            }
            throw HarnessError(
                description: "\(program) \(arguments.joined(separator: " ")) exited \(status): \(text.joined())")
        }
    }
}
