import Foundation
import NIOSSH

/// How applicants prove who they are.
public enum AuthenticationMode: String, CaseIterable, Sendable {
    /// Any user name, no credentials: the applicants' door.
    case open
    /// A user name and password from the password file.
    case password
    /// An ed25519 or ECDSA key listed in the authorized keys file (any user name).
    case keys
}

/// The limits that keep one connection, or many, from taking the server down. The defaults fit a
/// server reachable from the open internet.
public struct ServerLimits: Sendable {
    /// Without a key from the client for this long, the consultation closes (the child warns first).
    public var idleTimeout: TimeInterval = 10 * 60
    /// A session longer than this is ended (the applicant is told, the transcript is closed).
    public var maximumSessionTime: TimeInterval = 60 * 60
    /// Consultations running at once; one more is told to try again later.
    public var maximumSessions = 20
    /// Consultations running at once from one address (a household, an office behind NAT).
    public var maximumSessionsPerAddress = 3
    /// New connections from one address per minute; more are closed at once.
    public var connectionsPerMinute = 10
    /// Authentication requests on one connection before it is dropped (OpenSSH's MaxAuthTries).
    /// Every request counts: the client's first "none" probe, and two per public key it tries.
    public var authenticationAttempts = 6
    /// Time from connecting to a successful authentication.
    public var loginGraceTime: TimeInterval = 30
    /// Connections not yet authenticated, all addresses together, with random early drop
    /// (OpenSSH's MaxStartups `start:rate:full`).
    public var startups = Startups(start: 10, rate: 30, full: 100)
    /// Connections not yet authenticated from one address (a flood from one host takes only these).
    public var maximumUnauthenticatedPerAddress = 3
    /// Time from connecting to the client's SSH version line: a client sends it at once, so a
    /// connection silent this long holds a place for nothing.
    public var versionGraceTime: TimeInterval = 5

    public init() {}
}

/// OpenSSH's MaxStartups for connections waiting to authenticate: below `start` every one is
/// admitted; from `start` on a new one is refused with probability `rate` %, rising linearly to
/// 100 % at `full`, where all are refused. A flood then cannot count on filling the last places.
public struct Startups: Sendable, Equatable, CustomStringConvertible {
    public var start: Int
    public var rate: Int
    public var full: Int

    public init(start: Int, rate: Int, full: Int) {
        self.start = start
        self.rate = rate
        self.full = full
    }

    /// `full` alone: no random drop before it.
    public init(full: Int) {
        self.init(start: full, rate: 100, full: full)
    }

    /// "FULL" or "START:RATE:FULL", as OpenSSH writes it; nil when malformed or inconsistent
    /// (1 ≤ start ≤ full, 1 ≤ rate ≤ 100).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        switch parts.count {
        case 1:
            guard let full = parts[0], full >= 1 else { return nil }
            self.init(full: full)
        case 3:
            guard let start = parts[0], let rate = parts[1], let full = parts[2],
                start >= 1, start <= full, (1...100).contains(rate)
            else { return nil }
            self.init(start: start, rate: rate, full: full)
        default:
            return nil
        }
    }

    /// The chance in percent that a new connection is dropped while `waiting` others wait.
    func dropPercent(waiting: Int) -> Int {
        if waiting >= full { return 100 }
        if waiting < start { return 0 }
        return rate + (100 - rate) * (waiting - start) / max(1, full - start)
    }

    public var description: String { start == full ? "\(full)" : "\(start):\(rate):\(full)" }
}

/// What a child consultation is started with.
public struct ConsultationCommand: Sendable {
    /// The `consult` executable.
    public var executable: String
    /// Arguments after `start`: content folders, a fixed date for demonstrations and tests.
    public var extraArguments: [String]
    /// Where transcripts and appointment requests are written (`--data-dir` of the child).
    public var dataDirectory: String
    /// Variables the server sets for every child, over anything the client sent: the record store
    /// (`CONSULT_STORE`: in the environment, so that a password in its URL is not on a command
    /// line others can read), the office (`CONSULT_OFFICE`), the retention period.
    public var environment: [String: String]

    public init(
        executable: String, extraArguments: [String] = [], dataDirectory: String, environment: [String: String] = [:]
    ) {
        self.executable = executable
        self.extraArguments = extraArguments
        self.dataDirectory = dataDirectory
        self.environment = environment
    }

    /// The child's arguments (argv[0] included) for a session with this idle timeout.
    func arguments(idleTimeout: TimeInterval) -> [String] {
        [
            executable, "start", "--channel", "ssh", "--data-dir", dataDirectory,
            "--idle-minutes", String(format: "%.4g", idleTimeout / 60),
        ] + extraArguments
    }
}

/// Everything `consult-sshd` runs with.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var hostKey: NIOSSHPrivateKey
    public var authentication: AuthenticationMode
    /// For `password`: user name → password.
    public var passwords: [String: String]
    /// For `keys`: the keys that may log in.
    public var authorizedKeys: [NIOSSHPublicKey]
    public var command: ConsultationCommand
    public var limits: ServerLimits
    /// Seconds a shutdown waits for consultations to close their transcripts before killing them.
    public var shutdownGraceTime: TimeInterval = 10

    public init(
        host: String, port: Int, hostKey: NIOSSHPrivateKey, authentication: AuthenticationMode,
        passwords: [String: String] = [:], authorizedKeys: [NIOSSHPublicKey] = [],
        command: ConsultationCommand, limits: ServerLimits = ServerLimits()
    ) {
        self.host = host
        self.port = port
        self.hostKey = hostKey
        self.authentication = authentication
        self.passwords = passwords
        self.authorizedKeys = authorizedKeys
        self.command = command
        self.limits = limits
    }
}

/// A configuration problem, said with the file (and line) it is in.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
