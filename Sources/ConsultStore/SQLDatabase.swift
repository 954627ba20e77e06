import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SQLiteNIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value bound to a statement or read from a row: what the record schema uses.
enum SQLValue: Sendable, Equatable {
    case text(String)
    case int(Int)
    case bytes([UInt8])
    case null

    var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
    var int: Int? {
        switch self {
        case .int(let i): return i
        case .text(let s): return Int(s)
        default: return nil
        }
    }
    var bytes: [UInt8]? {
        switch self {
        case .bytes(let b): return b
        case .text(let s): return Array(s.utf8)
        default: return nil
        }
    }
}

/// The two dialects the schema is written for.
enum SQLDialect: Sendable {
    case sqlite, postgres
}

/// One connection to a SQL database, used from one thread at a time, synchronously: the sessions
/// are a libedit loop, and an event is committed before the next prompt. Statements are written
/// with `?` placeholders.
protocol SQLDatabase: AnyObject, Sendable {
    var dialect: SQLDialect { get }
    /// The store as people read its name (no password).
    var name: String { get }
    func query(_ sql: String, _ binds: [SQLValue]) throws(StoreError) -> [[SQLValue]]
    func close()
}

extension SQLDatabase {
    @discardableResult
    func run(_ sql: String, _ binds: SQLValue...) throws(StoreError) -> [[SQLValue]] {
        try query(sql, binds)
    }

    /// `body` inside one transaction, rolled back when it throws.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        _ = try query(dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN", [])
        do {
            let result = try body()
            _ = try query("COMMIT", [])
            return result
        } catch {
            _ = try? query("ROLLBACK", [])
            throw error
        }
    }
}

/// The process's event loops and thread pool: one group for every connection (sqlite-nio runs its
/// calls on the pool, postgres-nio its sockets on the loops).
enum StoreThreads {
    static let group: MultiThreadedEventLoopGroup = .singleton
    static let pool: NIOThreadPool = .singleton
    static let logger: Logger = {
        var logger = Logger(label: "consult.store")
        logger.logLevel = .critical
        return logger
    }()
}

/// The embedded store: one SQLite file, written ahead in WAL mode with a full sync per commit.
final class SQLiteDatabase: SQLDatabase {
    let dialect = SQLDialect.sqlite
    let name: String
    private let connection: SQLiteConnection

    init(path: String) throws(StoreError) {
        name = "sqlite:\(path)"
        // Personal data: the file (and SQLite's -wal and -shm beside it, which take its mode) 0600.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError.unreachable(name, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        _ = Glibc.close(fd)
        do {
            connection = try SQLiteConnection.open(
                storage: .file(path: path), threadPool: StoreThreads.pool,
                logger: StoreThreads.logger, on: StoreThreads.group.any()
            ).wait()
        } catch {
            throw StoreError.unreachable(name, "\(error)")
        }
        // sqlite-nio's busy handler retries at once, forever: with many consultations writing one
        // file (50 SSH sessions on one host) the waiting processes spun on the CPU and starved the
        // one holding the lock. SQLite's own handler sleeps between tries and gives up after 5 s
        // (a consultation then goes on with its spool).
        for pragma in [
            "PRAGMA busy_timeout=5000", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA secure_delete=ON",
        ] {
            _ = try query(pragma, [])
        }
    }

    func query(_ sql: String, _ binds: [SQLValue]) throws(StoreError) -> [[SQLValue]] {
        let data: [SQLiteData] = binds.map {
            switch $0 {
            case .text(let s): return .text(s)
            case .int(let i): return .integer(SQLiteInt64(i))
            case .bytes(let b): return .blob(ByteBuffer(bytes: b))
            case .null: return .null
            }
        }
        let rows: [SQLiteRow]
        do {
            rows = try connection.query(sql, data).wait()
        } catch {
            throw StoreError.failed(name, Self.statement(sql), "\(error)")
        }
        return rows.map { row in
            row.columns.map { column in
                switch column.data {
                case .integer(let i): return .int(Int(i))
                case .float(let d): return .int(Int(d))
                case .text(let s): return .text(s)
                case .blob(var buffer): return .bytes(buffer.readBytes(length: buffer.readableBytes) ?? [])
                case .null: return .null
                }
            }
        }
    }

    private let closed = OnceFlag()

    func close() {
        guard closed.set() else { return }
        _ = try? connection.close().wait()
    }

    deinit {
        close()
    }

    /// The first words of a statement: what was being done, for an error.
    static func statement(_ sql: String) -> String {
        String(sql.split(whereSeparator: \.isWhitespace).prefix(4).joined(separator: " "))
    }
}

/// PostgreSQL through one `PostgresConnection`: a consult process writes one consultation, event by
/// event, and a connection that fails, fails at once (the session then goes on with its spool),
/// where a pool would wait and reconnect behind the applicant's back.
final class PostgresDatabase: SQLDatabase {
    let dialect = SQLDialect.postgres
    let name: String
    private let connection: PostgresConnection

    init(_ location: PostgresLocation) throws(StoreError) {
        name = location.description
        var configuration: PostgresConnection.Configuration
        if location.isUnixSocket {
            configuration = .init(
                unixSocketPath: location.socketPath, username: location.user, password: location.password,
                database: location.database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            do {
                tls = try Self.tls(location)
            } catch {
                throw StoreError.unreachable(name, "TLS cannot be set up: \(error)")
            }
            configuration = .init(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeout))
        do {
            connection = try PostgresConnection.connect(
                on: StoreThreads.group.any(), configuration: configuration, id: 1,
                logger: StoreThreads.logger
            ).wait()
        } catch {
            throw StoreError.unreachable(name, Self.describe(error))
        }
    }

    static func tls(_ location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let root = location.rootCertificate { configuration.trustRoots = .file(root) }
        switch location.tls {
        case .disable: return .disable
        case .allow, .prefer:
            configuration.certificateVerification = .none
            return .prefer(try NIOSSLContext(configuration: configuration))
        case .require:
            configuration.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: configuration))
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
            return .require(try NIOSSLContext(configuration: configuration))
        case .verifyFull:
            return .require(try NIOSSLContext(configuration: configuration))
        }
    }

    func query(_ sql: String, _ binds: [SQLValue]) throws(StoreError) -> [[SQLValue]] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .text(let s): bindings.append(s)
            case .int(let i): bindings.append(i)
            case .bytes(let b): bindings.append(ByteBuffer(bytes: b))
            case .null: bindings.appendNull()
            }
        }
        // postgres-nio writes a query to its channel without a promise: on a connection the server
        // has just closed (stopped, crashed) the write fails and the query's future never completes.
        // So a closed connection fails at once, and every wait has a deadline.
        guard !connection.isClosed else {
            throw StoreError.failed(name, SQLiteDatabase.statement(sql), "the connection was closed")
        }
        let result: PostgresQueryResult
        do {
            let query = connection.query(
                PostgresQuery(unsafeSQL: Self.numbered(sql), binds: bindings), logger: StoreThreads.logger)
            result = try Self.wait(for: query, seconds: timeout)
        } catch let timedOut as TimedOut {
            close()
            throw StoreError.failed(name, SQLiteDatabase.statement(sql), "no answer in \(timedOut.seconds) seconds")
        } catch {
            throw StoreError.failed(name, SQLiteDatabase.statement(sql), Self.describe(error))
        }
        var rows: [[SQLValue]] = []
        for row in result.rows {
            var values: [SQLValue] = []
            for cell in row {
                guard cell.bytes != nil else {
                    values.append(.null)
                    continue
                }
                switch cell.dataType {
                case .int2, .int4, .int8: values.append(.int((try? cell.decode(Int.self)) ?? 0))
                case .bytea:
                    var buffer = (try? cell.decode(ByteBuffer.self)) ?? ByteBuffer()
                    values.append(.bytes(buffer.readBytes(length: buffer.readableBytes) ?? []))
                default: values.append(.text((try? cell.decode(String.self)) ?? ""))
                }
            }
            rows.append(values)
        }
        return rows
    }

    /// Seconds a statement may take before the connection is given up (nil: no limit). A session
    /// sets a short one: the applicant waits for each commit.
    var timeout: Int? {
        get { timeoutLock.withLock { _timeout } }
        set { timeoutLock.withLock { _timeout = newValue } }
    }
    nonisolated(unsafe) private var _timeout: Int? = 60
    private let timeoutLock = NSLock()

    struct TimedOut: Error {
        let seconds: Int
    }

    /// The future's value, or `TimedOut` when it has none after `seconds`.
    static func wait<T: Sendable>(for future: EventLoopFuture<T>, seconds: Int?) throws -> T {
        guard let seconds else { return try future.wait() }
        let promise = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: promise)
        let deadline = future.eventLoop.scheduleTask(in: .seconds(Int64(seconds))) {
            promise.fail(TimedOut(seconds: seconds))
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        return try promise.futureResult.wait()
    }

    /// `?` placeholders as PostgreSQL numbers them (`$1`, `$2`, ...). The schema's statements hold
    /// no `?` in a literal.
    static func numbered(_ sql: String) -> String {
        var out = ""
        var n = 0
        for c in sql {
            if c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// A PostgreSQL error's own message (PSQLError hides it from `description`).
    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            return "\(psql.code)" + (psql.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }

    private let closed = OnceFlag()

    /// Closes the connection (also on deinit: postgres-nio traps on a connection dropped open).
    func close() {
        guard closed.set() else { return }
        _ = try? Self.wait(for: connection.close(), seconds: 5)
    }

    deinit {
        close()
    }
}

extension StoreLocation {
    /// Opens a connection to the store.
    func connect() throws(StoreError) -> any SQLDatabase {
        switch self {
        case .sqlite(let path): return try SQLiteDatabase(path: path)
        case .postgres(let location): return try PostgresDatabase(location)
        }
    }
}

/// Set once, from any thread: `set()` is true the first time only.
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func set() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
}
