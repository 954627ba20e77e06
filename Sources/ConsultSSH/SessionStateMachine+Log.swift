import Foundation
import Logging

extension SessionStateMachine.LogEntry {
    /// The line this entry makes in the server's log.
    func write(to logger: Logger) {
        switch self {
        case .environment(let name, let taken):
            logger.debug(
                "environment variable \(taken ? "taken" : "refused")", metadata: ["name": "\(name.debugDescription)"])
        case .refused(let kind, let request):
            logger.notice("\(kind) refused", metadata: ["request": "\(request.debugDescription)"])
        case .started(let pid, let term, let size, let language):
            logger.info(
                "session started",
                metadata: [
                    "pid": "\(pid)", "term": "\(term)", "size": "\(size.columns)x\(size.rows)", "lang": "\(language)",
                ])
        case .declined(let reason):
            logger.notice("session declined", metadata: ["reason": "\(reason)"])
        case .crashed(let pid, let signal):
            logger.error("the consultation crashed or was killed", metadata: ["pid": "\(pid)", "signal": "\(signal)"])
        case .killing(let pid):
            logger.warning("consultation did not end; killing it", metadata: ["pid": "\(pid)"])
        case .ended(let ending):
            let seconds = Double(ending.duration.nanoseconds) / 1e9
            var metadata: Logger.Metadata = [
                "pid": "\(ending.pid)", "duration": "\(String(format: "%.1f s", seconds))",
                "reason": "\(ending.reason)",
                "status": "\(ending.status)",
            ]
            if ending.recordsFailed {
                metadata["records"] = "not written"
                logger.error("session ended", metadata: metadata)
            } else {
                logger.info("session ended", metadata: metadata)
            }
        }
    }
}
