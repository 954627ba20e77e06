import Foundation
import NIOConcurrencyHelpers

/// Who may connect and start a consultation now: connections per address per minute, connections
/// not yet authenticated, consultations running. Shared by every event loop.
public final class Admission: Sendable {
    public enum Refusal: String, Sendable {
        case rate = "too many connections from this address"
        case unauthenticated = "too many connections waiting to authenticate"
        case sessions = "too many consultations running"
        case sessionsFromAddress = "too many consultations from this address"
        case shuttingDown = "the server is shutting down"
    }

    private struct State {
        var recent: [String: [Date]] = [:]
        var unauthenticated = 0
        /// Running consultations: child pid → the client's address.
        var sessions: [Int32: String] = [:]
        /// Places reserved by consultations being started, by address.
        var reserved: [String: Int] = [:]
        var shuttingDown = false
    }

    private let limits: ServerLimits
    private let state = NIOLockedValueBox(State())

    public init(limits: ServerLimits) {
        self.limits = limits
    }

    /// A new TCP connection from `address`: counted against the per-address rate and the
    /// unauthenticated limit (released by ``leftUnauthenticated()``).
    func admitConnection(from address: String, now: Date = Date()) -> Refusal? {
        state.withLockedValue { state in
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
            guard state.unauthenticated < limits.maximumUnauthenticated else { return .unauthenticated }
            state.unauthenticated += 1
            return nil
        }
    }

    /// A connection stopped waiting to authenticate: it did, or it closed before.
    func leftUnauthenticated() {
        state.withLockedValue { $0.unauthenticated = max(0, $0.unauthenticated - 1) }
    }

    /// Reserves a place for a consultation from `address` about to start; nil when it may start.
    func reserveSession(from address: String) -> Refusal? {
        state.withLockedValue { state in
            if state.shuttingDown { return .shuttingDown }
            let reserved = state.reserved.values.reduce(0, +)
            guard state.sessions.count + reserved < limits.maximumSessions else { return .sessions }
            let fromAddress = state.sessions.values.filter { $0 == address }.count + (state.reserved[address] ?? 0)
            guard fromAddress < limits.maximumSessionsPerAddress else { return .sessionsFromAddress }
            state.reserved[address, default: 0] += 1
            return nil
        }
    }

    /// The place reserved for `address` is taken by the child `pid` (or given back when `pid` is nil).
    func sessionStarted(pid: Int32?, address: String) {
        state.withLockedValue { state in
            state.reserved[address, default: 1] -= 1
            if state.reserved[address] == 0 { state.reserved[address] = nil }
            if let pid {
                state.sessions[pid] = address
                // Started while the server was shutting down: it is asked to end like the others.
                if state.shuttingDown { kill(pid, SIGTERM) }
            }
        }
    }

    /// Called on the thread that reaped `pid`, before anything else can reuse the number.
    func sessionEnded(pid: Int32) {
        state.withLockedValue { _ = $0.sessions.removeValue(forKey: pid) }
    }

    public var isShuttingDown: Bool {
        state.withLockedValue { $0.shuttingDown }
    }

    public var runningSessions: Int {
        state.withLockedValue { $0.sessions.count }
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
