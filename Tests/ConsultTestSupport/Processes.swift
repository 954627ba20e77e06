import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The built executables the tests run.
public enum Binaries {
    /// `$CONSULT_REPL_BINARY` when set (a release build, an older build to compare), else the
    /// `consult` built beside this test bundle, else `.build/debug/consult` of this package.
    public static var consult: URL {
        if let path = ProcessInfo.processInfo.environment["CONSULT_REPL_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent("consult")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/consult")
    }

    /// `consult-sshd` beside ``consult``.
    public static var consultSSHD: URL {
        consult.deletingLastPathComponent().appendingPathComponent("consult-sshd")
    }
}

/// How a program run to its end by ``runProcess(_:_:environment:directory:input:mergingErrors:)`` ended.
public struct ProcessOutput: Sendable, CustomStringConvertible {
    public let status: Int32
    public let stdout: String
    /// Empty when standard error went to standard output (`mergingErrors`).
    public let stderr: String

    /// Standard output, then standard error: all the program printed.
    public var output: String { stdout + stderr }

    public var description: String { "exit status \(status)\n\(stdout)\(stderr)" }
}

/// Runs `executable` with Foundation's `Process` to its end: standard input `/dev/null` or
/// `input` (written from a thread of its own, as the program may answer while it reads, and may end
/// before it has read everything: SIGPIPE is ignored then), standard output and error read
/// through pipes (both at once, so that neither fills up), or both through one (`mergingErrors`).
/// `environment` nil: this process's; `directory` nil: this process's working directory.
public func runProcess(
    _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
    input: Data? = nil, mergingErrors: Bool = false
) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = mergingErrors ? out : Pipe()
    process.standardOutput = out
    process.standardError = err
    let stdin = input.map { _ in Pipe() }
    process.standardInput = stdin ?? FileHandle.nullDevice
    try process.run()
    if let stdin, let input {
        signal(SIGPIPE, SIG_IGN)
        Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }.start()
    }
    let errors = ReadToEnd(mergingErrors ? nil : err.fileHandleForReading)
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = errors.wait()
    process.waitUntilExit()
    return ProcessOutput(
        status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
        stderr: String(decoding: e, as: UTF8.self))
}

/// `consult` (``Binaries/consult``) run by ``runProcess(_:_:environment:directory:input:mergingErrors:)``,
/// in the repository's root unless `directory` says otherwise.
public func runConsult(
    _ arguments: [String], environment: [String: String]? = nil, directory: URL = repositoryRoot,
    input: Data? = nil, mergingErrors: Bool = false
) throws -> ProcessOutput {
    try runProcess(
        Binaries.consult, arguments, environment: environment, directory: directory, input: input,
        mergingErrors: mergingErrors)
}

/// Reads a file handle to its end on a thread of its own.
private final class ReadToEnd: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    private let reading: Bool

    init(_ handle: FileHandle?) {
        reading = handle != nil
        guard let handle else { return }
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func wait() -> Data {
        guard reading else { return Data() }
        done.wait()
        return data
    }
}
