import Foundation
import Testing

/// The real `consult` binary, and an office set up as the README tells the admin: two lawyers'
/// identities (one the offline recovery key), a recipients file, a data directory.
struct Office {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: URL {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundleDir, bundleDir.deletingLastPathComponent(), root.appendingPathComponent(".build/debug")] {
            let candidate = dir.appendingPathComponent("consult")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return root.appendingPathComponent(".build/debug/consult")
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    let folder: URL
    var data: String { folder.appendingPathComponent("data").path }
    var passphraseFile: String { folder.appendingPathComponent("passphrase").path }
    var recipients: String { folder.appendingPathComponent("recipients").path }
    func identity(_ name: String) -> String { folder.appendingPathComponent("\(name).key").path }

    /// An office with identities `names` (scrypt made cheap: 2^12), all of them in the recipients file.
    init(_ names: [String] = ["anna", "recovery"], test: String = #function) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "consult-sealed-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("correct horse battery\n".utf8).write(to: URL(fileURLWithPath: passphraseFile))
        chmod(passphraseFile, 0o600)
        for name in names {
            let made = try run([
                "keys", "generate", "--out", identity(name), "--passphrase-file", passphraseFile, "--scrypt-log-n",
                "12",
            ])
            #expect(made.status == 0, "\(made.stderr)")
        }
        try writeRecipients(names)
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The recipients file: a comment, then each identity's `.pub` line.
    func writeRecipients(_ names: [String]) throws {
        var text = "# the office's lawyers and the recovery key\n"
        for name in names {
            text +=
                try String(contentsOfFile: identity(name) + ".pub", encoding: .utf8).trimmingCharacters(in: .newlines)
                + " \(name)\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: recipients))
        chmod(recipients, 0o644)
    }

    @discardableResult
    func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = Self.root
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        for key in ["LC_ALL", "CONSULT_DATA_DIR", "CONSULT_RECIPIENTS", "CONSULT_HOSTS"] {
            env.removeValue(forKey: key)
        }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    /// A whole consultation typed at `consult start` (an appointment request sent): its transcript id.
    @discardableResult
    func consultation(name: String, email: String, sealed: Bool = true) throws -> String {
        let script =
            [
                "1", "yes", "1", "1", "1", "31.03.2028", "no", "no", "yes", "no", "no",
                "yes", name, "2", email, "1", "Mondays", "", "yes",
            ].joined(separator: "\n") + "\n"
        let before = Set(transcriptIDs())
        let result = try run(
            ["--today", "2026-11-25", "--data-dir", data, "--channel", "ssh"]
                + (sealed ? ["--recipients", recipients] : []),
            input: script)
        #expect(result.status == 0, "\(result.stderr)")
        let made = Set(transcriptIDs()).subtracting(before)
        #expect(made.count == 1)
        return made.first ?? "?"
    }

    func transcriptIDs() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: data + "/transcripts")) ?? []).filter {
            $0.hasSuffix(".jsonl")
        }
        .map { String($0.dropLast(6)) }
    }

    func transcript(_ id: String) -> URL { URL(fileURLWithPath: data + "/transcripts/\(id).jsonl") }

    /// Removes the embedded record store, as if it were lost: the next staff command builds it
    /// again from the data directory's files (the spool), whatever they now hold.
    func forgetStore() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: data + "/records.sqlite" + suffix) }
    }

    func references() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: data + "/appointments")) ?? []).filter {
            $0.hasSuffix(".json")
        }
        .map { String($0.dropLast(5)) }
    }

    /// Every file under the data directory, with its bytes.
    func files() -> [(path: String, bytes: Data)] {
        let base = URL(fileURLWithPath: data)
        let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)
        var found: [(String, Data)] = []
        while let url = walker?.nextObject() as? URL {
            if let bytes = FileManager.default.contents(atPath: url.path) { found.append((url.path, bytes)) }
        }
        return found
    }

    func opening(_ name: String) -> [String] { ["--identity", identity(name), "--passphrase-file", passphraseFile] }
}

extension Data {
    func contains(_ needle: String) -> Bool { range(of: Data(needle.utf8)) != nil }
}

/// The ways a text can appear encoded in a file: as it is, in JSON escapes, and in base64 (standard
/// and URL-safe) at each of the three alignments.
func encodings(of text: String) -> [String] {
    var all = [text]
    for shift in 0..<3 {
        let padded = Data(repeating: 0x41, count: shift) + Data(text.utf8)
        let base64 = padded.base64EncodedString()
        // Drop the characters that depend on the padding and the neighbours.
        let core = String(base64.dropFirst(shift == 0 ? 0 : 4).dropLast(4))
        all.append(core)
        all.append(core.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
    }
    return all.filter { $0.count >= 8 }
}
