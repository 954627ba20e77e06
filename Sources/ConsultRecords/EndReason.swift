/// Why a consultation ended: the `reason` of its transcript's end event, one case per reason this
/// release writes. The lawyer reads each through a `staff.reason.<raw value>` message.
public enum EndReason: String, CaseIterable, Sendable {
    /// Every question answered.
    case completed
    /// The applicant chose to leave (Ctrl-D or the quit command, confirmed).
    case quit
    /// No input for the idle timeout (kiosk).
    case idle
    /// The terminal hung up (a closed connection, SIGHUP, SIGPIPE).
    case disconnected
    /// The end of input that is not a terminal (a pipe, `ssh -T`, a file) was reached.
    case inputEnded = "input_ended"
    /// The operator left kiosk mode with the passphrase.
    case operatorExit
    /// The program was asked to stop (SIGTERM).
    case interrupted
    /// The transcript reached its size limit: the consultation ends, the applicant is told.
    case recordLimit = "record_limit"
    /// The applicant stopped to continue later with a code (`/pause`): the answers are kept.
    case paused
    /// The program crashed: written by the crash handler, never by a session.
    case crashed
}
