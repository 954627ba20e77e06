import Foundation
import NIOConcurrencyHelpers

/// Who may connect and start a consultation now: connections per address per minute, connections
/// not yet authenticated (all together, with OpenSSH's random early drop, and per address),
/// consultations running. Shared by every event loop.
public final class Admission: Sendable {
    public enum Refusal: String, Sendable {
        case rate = "too many connections from this address"
        case unauthenticated = "too many connections waiting to authenticate"
        case earlyDrop = "connections waiting to authenticate above the start of random early drop; dropped at random"
        case unauthenticatedFromAddress = "too many connections waiting to authenticate from this address"
        case sessions = "too many consultations running"
        case sessionsFromAddress = "too many consultations from this address"
        case shuttingDown = "the server is shutting down"
    }

    private struct State {
        var recent: [String: [Date]] = [:]
        /// Connections not yet authenticated, by address.
        var unauthenticated: [String: Int] = [:]
        var unauthenticatedTotal = 0
        /// Running consultations: child pid → the client's address.
        var sessions: [Int32: String] = [:]
        /// Places reserved by consultations being started, by address.
        var reserved: [String: Int] = [:]
        /// Consultations from the reservation of their place until their session closed (their
        /// child reaped and their client told how it ended, or gone).
        var open = 0
        var shuttingDown = false
        /// Told once no consultation runs or is being started.
        var whenNoneRuns: [@Sendable () -> Void] = []
        /// Told once every consultation's session has closed.
        var whenAllClosed: [@Sendable () -> Void] = []

        var noneRuns: Bool { sessions.isEmpty && reserved.isEmpty }

        /// The callbacks whose moment has come, taken out of the lists.
        mutating func due() -> [@Sendable () -> Void] {
            var due: [@Sendable () -> Void] = []
            if noneRuns { swap(&due, &whenNoneRuns) }
            if open == 0 {
                due += whenAllClosed
                whenAllClosed = []
            }
            return due
        }
    }

    private let limits: ServerLimits
    private let state = NIOLockedValueBox(State())
    /// A number in 0..<100 for the random early drop (injected by tests).
    private let percent: @Sendable () -> Int

    public init(limits: ServerLimits) {
        self.limits = limits
        percent = { Int.random(in: 0..<100) }
    }

    init(limits: ServerLimits, percent: @escaping @Sendable () -> Int) {
        self.limits = limits
        self.percent = percent
    }

    /// A new TCP connection from `address`: counted against the per-address rate, then against
    /// the unauthenticated places (released by ``leftUnauthenticated(from:)``): this address's
    /// share first, then all of them together, dropped at random between `start` and `full` as
    /// OpenSSH's MaxStartups does, so that a flood cannot decide who gets the last places.
    func admitConnection(from client: String, now: Date = Date()) -> Refusal? {
        let address = Self.holder(of: client)
        return state.withLockedValue { state in
            if state.shuttingDown { return .shuttingDown }
            let windowStart = now.addingTimeInterval(-60)
            var times = (state.recent[address] ?? []).filter { $0 > windowStart }
            // Forget addresses that went quiet, so the table cannot grow without bound.
            if state.recent.count > 10_000 {
                state.recent = state.recent.filter { $0.value.contains { $0 > windowStart } }
            }
            guard times.count < limits.connectionsPerMinute else {
                state.recent[address] = times
                return .rate
            }
            times.append(now)
            state.recent[address] = times
            guard (state.unauthenticated[address] ?? 0) < limits.maximumUnauthenticatedPerAddress else {
                return .unauthenticatedFromAddress
            }
            let startups = limits.startups
            let waiting = state.unauthenticatedTotal
            guard waiting < startups.full else { return .unauthenticated }
            if waiting >= startups.start && percent() < startups.dropPercent(waiting: waiting) { return .earlyDrop }
            state.unauthenticatedTotal += 1
            state.unauthenticated[address, default: 0] += 1
            return nil
        }
    }

    /// A connection from `address` stopped waiting to authenticate: it did, or it closed before.
    func leftUnauthenticated(from client: String) {
        let address = Self.holder(of: client)
        state.withLockedValue { state in
            guard let count = state.unauthenticated[address] else { return }
            state.unauthenticated[address] = count > 1 ? count - 1 : nil
            state.unauthenticatedTotal = max(0, state.unauthenticatedTotal - 1)
        }
    }

    /// Reserves a place for a consultation from `address` about to start; nil when it may start.
    func reserveSession(from client: String) -> Refusal? {
        let address = Self.holder(of: client)
        return state.withLockedValue { state in
            if state.shuttingDown { return .shuttingDown }
            let reserved = state.reserved.values.reduce(0, +)
            guard state.sessions.count + reserved < limits.maximumSessions else { return .sessions }
            let fromAddress = state.sessions.values.filter { $0 == address }.count + (state.reserved[address] ?? 0)
            guard fromAddress < limits.maximumSessionsPerAddress else { return .sessionsFromAddress }
            state.reserved[address, default: 0] += 1
            state.open += 1
            return nil
        }
    }

    /// The place reserved for `address` is taken by the child `pid` (or given back when `pid` is nil).
    func sessionStarted(pid: Int32?, address client: String) {
        let address = Self.holder(of: client)
        let due = state.withLockedValue { state in
            state.reserved[address, default: 1] -= 1
            if state.reserved[address] == 0 { state.reserved[address] = nil }
            if let pid {
                state.sessions[pid] = address
                // Started while the server was shutting down: it is asked to end like the others.
                if state.shuttingDown { kill(pid, SIGTERM) }
            }
            return state.due()
        }
        due.forEach { $0() }
    }

    /// Who holds `address`, for the per-address limits: an IPv4 address is one holder; an IPv6
    /// host normally has a whole /64 to choose from, so the /64 is one holder (and an IPv4-mapped
    /// IPv6 address is its IPv4 address).
    static func holder(of address: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }
        return groups.joined(separator: ":") + "::/64"
    }

    /// Called on the thread that reaped `pid`, before anything else can reuse the number.
    func sessionEnded(pid: Int32) {
        let due = state.withLockedValue { state in
            state.sessions.removeValue(forKey: pid)
            return state.due()
        }
        due.forEach { $0() }
    }

    /// A consultation's session closed (its place was reserved; its child, if it had one, is
    /// reaped; its client was told how it ended, or is gone).
    func sessionClosed() {
        let due = state.withLockedValue { state in
            state.open = max(0, state.open - 1)
            return state.due()
        }
        due.forEach { $0() }
    }

    /// Calls `body` once no consultation runs or is being started: at once if none does.
    func whenNoConsultationRuns(_ body: @escaping @Sendable () -> Void) {
        let due = state.withLockedValue { state in
            state.whenNoneRuns.append(body)
            return state.due()
        }
        due.forEach { $0() }
    }

    /// Calls `body` once every consultation's session has closed: at once if none is open.
    func whenEverySessionClosed(_ body: @escaping @Sendable () -> Void) {
        let due = state.withLockedValue { state in
            state.whenAllClosed.append(body)
            return state.due()
        }
        due.forEach { $0() }
    }

    /// Consultations whose session has not closed yet.
    var openSessions: Int {
        state.withLockedValue { $0.open }
    }

    public var isShuttingDown: Bool {
        state.withLockedValue { $0.shuttingDown }
    }

    public var runningSessions: Int {
        state.withLockedValue { $0.sessions.count }
    }

    /// Connections waiting to authenticate, all addresses together.
    var waitingToAuthenticate: Int {
        state.withLockedValue { $0.unauthenticatedTotal }
    }

    /// Refuses new connections and consultations from now on; sends `signal` to every running
    /// consultation (under the lock, so no pid is signalled after it was reaped).
    func shutDown(signal: Int32) {
        state.withLockedValue { state in
            state.shuttingDown = true
            for pid in state.sessions.keys { kill(pid, signal) }
        }
    }

    func signalAll(_ signal: Int32) {
        state.withLockedValue { state in
            for pid in state.sessions.keys { kill(pid, signal) }
        }
    }
}
