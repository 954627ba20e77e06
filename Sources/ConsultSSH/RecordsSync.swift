import CPseudoTerminal
import Foundation
import Logging

/// Forwarding the local spool to the record store now and then: every `interval`, one
/// `consult records sync` child with the children's own environment (the store, the office), so
/// that what a consultation could not send while the store was down reaches it without waiting
/// for the next consultation. A pass still running when the next is due is not doubled.
public final class RecordsSync: @unchecked Sendable {
    private let command: ConsultationCommand
    private let interval: TimeInterval
    private let logger: Logger
    private let queue = DispatchQueue(label: "consult-sshd records sync")
    private var timer: DispatchSourceTimer?

    public init(command: ConsultationCommand, interval: TimeInterval, logger: Logger) {
        self.command = command
        self.interval = interval
        self.logger = logger
    }

    /// The child's command line and environment.
    var invocation: (arguments: [String], environment: [String: String]) {
        var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"]
        environment.merge(command.environment) { _, server in server }
        return ([command.executable, "records", "sync", "--data-dir", command.dataDirectory], environment)
    }

    /// The first pass at once, then one every `interval` (on a serial queue: never two at once).
    public func start() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now(), repeating: interval, leeway: .seconds(1))
        timer.setEventHandler { [weak self] in self?.runOnce() }
        timer.resume()
        self.timer = timer
    }

    public func stop() {
        timer?.cancel()
        timer = nil
    }

    /// One pass, waited for: its exit status and what it printed (nil when it could not start).
    @discardableResult
    public func runOnce() -> (status: Int, report: String)? {
        let (arguments, environment) = invocation
        var pipe: [Int32] = [-1, -1]
        guard Foundation.pipe(&pipe) == 0 else {
            logger.warning("records sync not started", metadata: ["error": "\(String(cString: strerror(errno)))"])
            return nil
        }
        for fd in pipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var pid: pid_t = 0
        let result = withSpawnArguments(arguments, environment) { argv, envp in
            cpty_spawn_plain(arguments[0], argv, envp, pipe[1], &pid)
        }
        close(pipe[1])
        guard result == 0 else {
            close(pipe[0])
            logger.warning("records sync not started", metadata: ["error": "\(String(cString: strerror(result)))"])
            return nil
        }
        // Read to the end (the child holds the only writing end), then reap it.
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(pipe[0], &buffer, buffer.count)
            if n > 0 {
                output.append(contentsOf: buffer[0..<n])
                continue
            }
            if n < 0 && errno == EINTR { continue }
            break
        }
        close(pipe[0])
        var status: Int32 = 0
        _ = cpty_wait(pid, &status)
        let text = String(decoding: output.prefix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if status == 0 {
            logger.info("records sync", metadata: ["report": "\(text)"])
        } else {
            logger.warning("records sync failed", metadata: ["status": "\(status)", "report": "\(text)"])
        }
        return (Int(status), text)
    }
}
