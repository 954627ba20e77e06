import ConsultRecords
import Foundation

/// Where the records are stored, as given by `--store URL` or `$CONSULT_STORE`:
///
/// - `sqlite:PATH` or `sqlite:///ABSOLUTE/PATH` (also a bare path ending in `.sqlite`): the embedded
///   store, a file; the default is `DATA/records.sqlite` in the data directory.
/// - `postgresql://[user[:password]@][host][:port][/database][?param=value&...]` (or `postgres://`),
///   the URL as libpq writes it. `host` may be a Unix-socket directory, in the authority
///   (`%2Frun%2Fpg`) or as a parameter (`postgresql:///consult?host=/run/pg&user=consult`). Other
///   parameters read: `port`, `user`, `password`, `dbname`, `sslmode` (disable, allow, prefer,
///   require, verify-ca, verify-full), `sslrootcert`, `connect_timeout` (seconds), `passfile`.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// The store of this invocation: the option, else `$CONSULT_STORE`, else the embedded store in
    /// the data directory.
    public static func resolve(
        _ option: String?, dataDirectory: DataDirectory,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(StoreError) -> StoreLocation {
        if let option, !option.isEmpty { return try parse(option, place: "--store") }
        if let env = environment["CONSULT_STORE"], !env.isEmpty { return try parse(env, place: "$CONSULT_STORE") }
        return .sqlite(path: dataDirectory.url.appendingPathComponent("records.sqlite").path)
    }

    /// Reads a store URL; `place` names where it was given (for the error).
    public static func parse(_ text: String, place: String = "the store URL") throws(StoreError) -> StoreLocation {
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            return .postgres(try PostgresLocation(parsing: text, place: place))
        }
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else {
                throw StoreError.badLocation(place, "sqlite:PATH with the path of the database file, not '\(text)'")
            }
            return .sqlite(path: path.removingPercentEncoding ?? path)
        }
        if text.hasSuffix(".sqlite") || text.hasSuffix(".db") { return .sqlite(path: text) }
        throw StoreError.badLocation(
            place, "sqlite:PATH or postgresql://user@host/database, not '\(StoreLocation.redacted(text))'")
    }

    /// The location for people: never a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let p): return p.description
        }
    }

    static func redacted(_ text: String) -> String {
        guard let at = text.firstIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at else {
            return text
        }
        let userInfo = text[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

/// A PostgreSQL server and database, as libpq's URL names them.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// A host name or address, or the directory of a Unix socket (it begins with `/`).
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var rootCertificate: String?
    public var connectTimeout: Int

    public var isUnixSocket: Bool { host.hasPrefix("/") }
    /// The socket file of a Unix-socket location (`HOST/.s.PGSQL.PORT`).
    public var socketPath: String { "\(host)/.s.PGSQL.\(port)" }

    init(parsing text: String, place: String) throws(StoreError) {
        func bad(_ why: String) -> StoreError {
            .badLocation(
                place,
                "\(why) in '\(StoreLocation.redacted(text))' (expected postgresql://user:password@host:port/database?param=value)"
            )
        }
        var rest = Substring(text[text.range(of: "://")!.upperBound...])
        var query: [String: String] = [:]
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") where !pair.isEmpty {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw bad("the parameter '\(pair)' has no value") }
                query[String(parts[0])] = String(parts[1]).removingPercentEncoding ?? String(parts[1])
            }
            rest = rest[..<q]
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let info = rest[..<at]
            if let colon = info.firstIndex(of: ":") {
                user = String(info[..<colon])
                password = String(info[info.index(after: colon)...]).removingPercentEncoding
            } else {
                user = String(info)
            }
            rest = rest[rest.index(after: at)...]
        }
        var host = String(rest)
        var port: Int?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw bad("an IPv6 address without its ']'") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                port = Int(after.dropFirst())
                guard port != nil else { throw bad("the port is not a number") }
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]) else { throw bad("the port is not a number") }
            port = p
            host = String(host[..<colon])
        }
        host = host.removingPercentEncoding ?? host
        if let h = query["host"] { host = h }
        if let p = query["port"] {
            guard let p = Int(p) else { throw bad("the port is not a number") }
            port = p
        }
        if let u = query["user"] { user = u }
        if let pw = query["password"] { password = pw }
        let database = query["dbname"] ?? (path.removingPercentEncoding ?? path)
        self.host = host.isEmpty ? "/var/run/postgresql" : host
        self.port = port ?? 5432
        guard (1...65535).contains(self.port) else { throw bad("the port \(self.port) is out of range") }
        self.user = user?.removingPercentEncoding ?? user ?? ProcessInfo.processInfo.environment["USER"] ?? "consult"
        self.database = database.isEmpty ? self.user : database
        let isSocket = self.host.hasPrefix("/")
        if let mode = query["sslmode"] {
            guard let m = TLSMode(rawValue: mode) else {
                throw bad("sslmode '\(mode)' is not disable, allow, prefer, require, verify-ca or verify-full")
            }
            tls = m
        } else {
            tls = isSocket ? .disable : .prefer
        }
        rootCertificate = query["sslrootcert"]
        if let t = query["connect_timeout"] {
            guard let seconds = Int(t), seconds > 0 else {
                throw bad("connect_timeout '\(t)' is not a number of seconds")
            }
            connectTimeout = seconds
        } else {
            connectTimeout = 5
        }
        if password == nil, let file = query["passfile"] ?? ProcessInfo.processInfo.environment["PGPASSFILE"] {
            password = Self.password(
                in: file, host: self.host, port: self.port, database: self.database, user: self.user)
        }
        self.password = password
    }

    /// The password of a `.pgpass` file's first matching line (`host:port:database:user:password`, `*` for any).
    static func password(in file: String, host: String, port: Int, database: String, user: String) -> String? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { continue }
            let wanted = [isLocal(host) ? "localhost" : host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    private static func isLocal(_ host: String) -> Bool { host.hasPrefix("/") }

    public var description: String {
        let authority = isUnixSocket ? "" : (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        var text = "postgresql://\(user)\(password == nil ? "" : ":***")@\(authority)/\(database)"
        if isUnixSocket { text += "?host=\(host)" + (port == 5432 ? "" : "&port=\(port)") }
        return text
    }
}

/// Why the store could not be reached, read or written: where, and what was expected.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    /// A store URL that is not one (where it was given, what was expected).
    case badLocation(String, String)
    /// The store cannot be reached (which, why).
    case unreachable(String, String)
    /// A statement failed (the store, what was being done, why).
    case failed(String, String, String)
    /// The store's schema is newer than this program knows (store, its version, ours).
    case schemaTooNew(String, Int, Int)
    /// The store's schema is older than this program needs: `consult records migrate` (store, its version, ours).
    case schemaTooOld(String, Int, Int)
    /// A record already stored differs from the one forwarded (store, record, what differs).
    case conflict(String, String, String)

    public var description: String {
        switch self {
        case .badLocation(let place, let expected): return "\(place): expected \(expected)"
        case .unreachable(let store, let why): return "the record store \(store) cannot be reached: \(why)"
        case .failed(let store, let what, let why): return "the record store \(store): \(what) failed: \(why)"
        case .schemaTooNew(let store, let found, let known):
            return
                "the record store \(store) has schema version \(found); this consult knows versions up to \(known): upgrade consult"
        case .schemaTooOld(let store, let found, let needed):
            return
                "the record store \(store) has schema version \(found); this consult needs \(needed): run `consult records migrate`"
        case .conflict(let store, let record, let what):
            return "the record store \(store) already holds \(record) with other content: \(what)"
        }
    }
}
