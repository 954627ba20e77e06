extension SessionStateMachine {
    /// Back-pressure both ways, by holding reads. While the consultation reads slower than the
    /// client types (a big paste), the client's bytes stay in its SSH window (no window adjust),
    /// so the client stops sending and nothing is dropped. While the client reads slower than the
    /// consultation writes, the terminal is not read, so the child blocks writing instead of the
    /// server buffering without limit. (Not by switching `autoRead`: the SSH child channel does
    /// not read again when it is switched back on, which froze a session after a paste for good.)
    struct Flow: Equatable, Sendable {
        var terminalWritable = true
        var clientWritable = true
        /// A read of the client's bytes waits for the terminal to take more.
        var clientReadHeld = false
        /// A read of the terminal waits for the client to take more.
        var terminalReadHeld = false
    }

    /// The client's channel would read: true to read now, false when the read is held.
    mutating func clientReadRequested() -> Bool {
        guard isTerminalOpen, !flow.terminalWritable else { return true }
        flow.clientReadHeld = true
        return false
    }

    /// The terminal's writability changed: true when a held read of the client's bytes is due.
    mutating func terminalWritabilityChanged(_ writable: Bool) -> Bool {
        flow.terminalWritable = writable
        guard writable, flow.clientReadHeld else { return false }
        flow.clientReadHeld = false
        return true
    }

    /// The terminal's channel would read: true to read now, false when the read is held.
    mutating func terminalReadRequested() -> Bool {
        guard clientConnected, !flow.clientWritable else { return true }
        flow.terminalReadHeld = true
        return false
    }

    /// The client's writability changed: true when a held read of the terminal is due.
    mutating func clientWritabilityChanged(_ writable: Bool) -> Bool {
        flow.clientWritable = writable
        guard writable, flow.terminalReadHeld else { return false }
        flow.terminalReadHeld = false
        return true
    }

    /// A held read of the client's bytes, released.
    mutating func releaseClientReads() -> [Action] {
        guard flow.clientReadHeld else { return [] }
        flow.clientReadHeld = false
        return [.resumeClientReads]
    }

    /// A held read of the terminal, released.
    mutating func releaseTerminalReads() -> [Action] {
        guard flow.terminalReadHeld else { return [] }
        flow.terminalReadHeld = false
        return [.resumeTerminalReads]
    }
}
