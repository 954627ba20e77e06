internal import CSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The longest line a reader takes, in characters (Unicode scalars). The rest of a longer line is
/// read and thrown away as it comes, so that a pasted megabyte costs neither memory nor time, and
/// the reader reports the line as too long.
public enum LineLimit {
    public static let characters = 4096
}

/// Standard input read with read(2) through one buffer, shared by every reader of this process
/// (the libedit reader's characters, the plain reader's lines, the operator's passphrase), so that
/// nothing read ahead is lost between them. A signal interrupts a read (handlers are installed
/// without SA_RESTART): the caller decides whether that ends the read.
///
/// Main thread only.
package final class StandardInput {
    nonisolated(unsafe) package static let shared = StandardInput(descriptor: 0)

    package enum Stop: Equatable {
        /// End of input (a closed pipe, a hung-up terminal's read of 0).
        case end
        /// A signal arrived and `stopOnSignal` said so.
        case interrupted
        /// read(2) failed (EIO on a hung-up terminal): the errno.
        case failed(Int32)
    }

    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var start = 0
    private var end = 0

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Whether bytes already read wait in the buffer.
    package var hasBufferedInput: Bool { start < end }

    /// Which signals' flags end a wait: see `csignals_wait_for_input`.
    package struct Signals: OptionSet {
        package let rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }
        package static let termination = Signals(rawValue: Int32(CSIGNALS_WAIT_TERMINATION))
        package static let interrupt = Signals(rawValue: Int32(CSIGNALS_WAIT_INTERRUPT))
        package static let editing = Signals(rawValue: Int32(CSIGNALS_WAIT_WINDOW))
    }

    /// The signals the next reads wait for (set by each reader before it reads).
    package var signals: Signals = .termination

    /// Reads more when the buffer is empty; nil when there are bytes. When a signal of
    /// ``signals`` came (before the wait or during it), asks `stopOnSignal`: true ends the read
    /// with ``Stop/interrupted``, false reads on.
    private func fill(_ stopOnSignal: () -> Bool) -> Stop? {
        while start == end {
            if csignals_wait_for_input(descriptor, signals.rawValue) != 0 {
                if errno != EINTR { return .failed(errno) }
                if stopOnSignal() { return .interrupted }
                continue
            }
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n > 0 {
                start = 0
                end = n
            } else if n == 0 {
                return .end
            } else if errno == EINTR {
                if stopOnSignal() { return .interrupted }
            } else {
                return .failed(errno)
            }
        }
        return nil
    }

    /// The next byte.
    package func byte(_ stopOnSignal: () -> Bool) -> Result<UInt8, StopError> {
        if let stop = fill(stopOnSignal) { return .failure(StopError(stop: stop)) }
        defer { start += 1 }
        return .success(buffer[start])
    }

    /// Forgets what was read ahead (typeahead thrown away, as a terminal does at Ctrl-C).
    package func discardBuffered() {
        start = end
    }

    /// Puts back the byte just taken by ``byte(_:)``.
    package func unread() {
        if start > 0 { start -= 1 }
    }

    package struct StopError: Error {
        package let stop: Stop
    }

    /// A line read whole, or its first bytes and how long it was.
    struct Line {
        /// Up to `keep` bytes of the line, without its newline.
        var bytes: [UInt8]
        /// The line's length in characters, the bytes not kept included.
        var characters: Int
        /// Whether bytes were thrown away.
        var cut: Bool
    }

    /// Reads up to the next newline, keeping at most `keep` bytes and counting the characters of
    /// the rest as they are skipped. At the end of input, a last line without a newline is a line;
    /// nothing at all is ``Stop/end``.
    func line(keep: Int, _ stopOnSignal: () -> Bool) -> Result<Line, StopError> {
        var line = Line(bytes: [], characters: 0, cut: false)
        var any = false
        while true {
            if let stop = fill(stopOnSignal) {
                if stop == .end && any { return .success(line) }
                return .failure(StopError(stop: stop))
            }
            any = true
            let newline = buffer[start..<end].firstIndex(of: UInt8(ascii: "\n"))
            let stop = newline ?? end
            let room = max(0, keep - line.bytes.count)
            let kept = min(room, stop - start)
            line.bytes.append(contentsOf: buffer[start..<(start + kept)])
            if start + kept < stop {
                line.cut = true
                // Characters skipped: every byte that is not a UTF-8 continuation byte.
                for index in (start + kept)..<stop where buffer[index] & 0xC0 != 0x80 { line.characters += 1 }
            }
            start = stop
            if newline != nil {
                start += 1
                line.characters += Self.characterCount(line.bytes)
                return .success(line)
            }
        }
    }

    static func characterCount(_ bytes: [UInt8]) -> Int {
        bytes.reduce(0) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
    }
}
