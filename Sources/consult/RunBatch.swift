import ArgumentParser
import ConsultContent
import ConsultEngine
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `consult run --batch`: reads the whole file (or standard input), walks the lines on every core
/// (each line is independent), writes one result a line to standard output in the input's order
/// in large writes, and a count of the lines on standard error.
enum BatchRun {
    static func run(_ content: Content, path: String, today: LocalDate) throws -> Int32 {
        let input: [UInt8]
        if path == "-" {
            input = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("\(path): error: cannot read the file")
                throw ExitCode(2)
            }
            input = Array(data)
        }
        // The lines, as ranges of the input (the last one may have no newline).
        var ranges: [Range<Int>] = []
        var start = 0
        while start < input.count {
            let end = input[start...].firstIndex(of: UInt8(ascii: "\n")) ?? input.count
            ranges.append(start..<end)
            start = end + 1
        }
        let lines = ranges
        // The lines are independent: each core takes a share of a window of them, and the results
        // are written in the input's order once the window is done.
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let window = 4096 * workers
        var out = ""
        out.reserveCapacity(1 << 17)
        var completed = 0
        var incomplete = 0
        var malformed = 0
        for windowStart in stride(from: 0, to: lines.count, by: window) {
            let windowEnd = min(lines.count, windowStart + window)
            let share = (windowEnd - windowStart + workers - 1) / workers
            let results = Shares(count: workers)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var batch = HeadlessBatch(content: content, today: today, path: path)
                var text = ""
                let from = windowStart + worker * share
                for index in from..<max(from, min(windowEnd, from + share)) {
                    if let line = batch.run(line: input[lines[index]], number: index + 1) {
                        text += line
                        text += "\n"
                    }
                }
                results.set(
                    worker,
                    Share(
                        text: text, completed: batch.completed, incomplete: batch.incomplete, malformed: batch.malformed
                    ))
            }
            for share in results.all {
                out += share.text
                completed += share.completed
                incomplete += share.incomplete
                malformed += share.malformed
                if out.utf8.count >= 1 << 16 { flush(&out) }
            }
        }
        flush(&out)
        printError("\(path): \(completed) with outcomes, \(incomplete) with facts missing, \(malformed) malformed")
        return malformed > 0 ? 2 : incomplete > 0 ? 3 : 0
    }

    /// What one worker made of its share of a window.
    private struct Share: Sendable {
        var text = ""
        var completed = 0
        var incomplete = 0
        var malformed = 0
    }

    /// The workers' shares, each written once by its worker.
    private final class Shares: @unchecked Sendable {
        private let lock = NSLock()
        private var shares: [Share]

        init(count: Int) { shares = Array(repeating: Share(), count: count) }

        func set(_ index: Int, _ share: Share) {
            lock.lock()
            defer { lock.unlock() }
            shares[index] = share
        }

        var all: [Share] {
            lock.lock()
            defer { lock.unlock() }
            return shares
        }
    }

    private static func flush(_ out: inout String) {
        var text = out
        text.withUTF8 { buffer in
            var written = 0
            while written < buffer.count {
                let n = write(1, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                written += n
            }
        }
        out.removeAll(keepingCapacity: true)
    }
}
