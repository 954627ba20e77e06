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
    /// Connections not yet authenticated, all addresses together (OpenSSH's MaxStartups).
    public var maximumUnauthenticated = 10

    public init() {}
}

/// What a child consultation is started with.
public struct ConsultationCommand: Sendable {
    /// The `consult` executable.
    public var executable: String
    /// Arguments after `start`: content folders, a fixed date for demonstrations and tests.
    public var extraArguments: [String]
    /// Where transcripts and appointment requests are written (`--data-dir` of the child).
    public var dataDirectory: String

    public init(executable: String, extraArguments: [String] = [], dataDirectory: String) {
        self.executable = executable
        self.extraArguments = extraArguments
        self.dataDirectory = dataDirectory
    }

    /// The child's arguments (argv[0] included) for a session with this idle timeout.
    func arguments(idleTimeout: TimeInterval) -> [String] {
        [executable, "start", "--channel", "ssh", "--data-dir", dataDirectory,
         "--idle-minutes", String(format: "%.4g", idleTimeout / 60)] + extraArguments
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

    public init(host: String, port: Int, hostKey: NIOSSHPrivateKey, authentication: AuthenticationMode,
                passwords: [String: String] = [:], authorizedKeys: [NIOSSHPublicKey] = [],
                command: ConsultationCommand, limits: ServerLimits = ServerLimits()) {
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
