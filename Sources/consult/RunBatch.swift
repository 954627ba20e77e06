import ArgumentParser
import ConsultContent
import ConsultEngine
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `consult run --batch`: reads the whole file (or standard input), writes one result a line to
/// standard output in large writes, and a count of the lines on standard error.
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
        var batch = HeadlessBatch(content: content, today: today, path: path)
        var out = ""
        out.reserveCapacity(1 << 17)
        var number = 0
        var start = 0
        while start < input.count {
            let end = input[start...].firstIndex(of: UInt8(ascii: "\n")) ?? input.count
            number += 1
            if let line = batch.run(line: input[start..<end], number: number) {
                out += line
                out += "\n"
            }
            if out.utf8.count >= 1 << 16 {
                flush(&out)
            }
            start = end + 1
        }
        flush(&out)
        printError(
            "\(path): \(batch.completed) with outcomes, \(batch.incomplete) with facts missing, \(batch.malformed) malformed"
        )
        return batch.exitStatus
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
