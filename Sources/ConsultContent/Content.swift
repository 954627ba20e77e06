import ConsultEngine
import ConsultLocalization
import Foundation

/// Everything a consultation needs from `dialogs/` and `locales/`, loaded and checked.
public struct Content: Equatable, Codable, Sendable {
    public let dialogs: DialogSet
    public let localizer: Localizer
    /// Every problem found (errors stop loading; warnings do not).
    public let diagnostics: [Diagnostic]

    /// Problems that keep the content from being used.
    public struct Invalid: Error, CustomStringConvertible {
        public let diagnostics: [Diagnostic]
        public var description: String {
            diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: "\n")
        }
    }

    /// Loads and lints the content; throws when there is any error.
    public static func load(dialogs: URL, locales: URL) throws(Invalid) -> Content {
        let report = Linter.lint(dialogs: dialogs, locales: locales, typography: false)
        guard let set = report.dialogs, !report.hasErrors else { throw Invalid(diagnostics: report.diagnostics) }
        return Content(dialogs: set, localizer: report.localizer, diagnostics: report.diagnostics)
    }

    public init(dialogs: DialogSet, localizer: Localizer, diagnostics: [Diagnostic] = []) {
        self.dialogs = dialogs
        self.localizer = localizer
        self.diagnostics = diagnostics
    }
}

extension Content: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.value(dialogs)
        writer.value(localizer)
        writer.array(diagnostics)
    }

    public init(from reader: inout BinaryReader) throws(BinaryError) {
        self.init(dialogs: try reader.value(), localizer: try reader.value(), diagnostics: try reader.array())
    }
}

/// Message keys the program itself uses, with the placeholders it fills in.
public enum SystemMessages {
    public static let keys: [MessageKey: [String]] = [
        "app.title": [], "app.welcome": [],
        "answer.expected_yesno": [], "answer.expected_choice": ["choices"], "answer.ambiguous_choice": ["candidates"],
        "answer.expected_number": ["min", "max"], "answer.number_out_of_range": ["min", "max"],
        "answer.expected_date": [], "answer.ambiguous_date": ["day_first", "month_first"],
        "answer.date_too_early": ["min"], "answer.date_too_late": ["max"],
        "answer.text_too_long": ["max_length"], "answer.empty": [], "answer.too_many_items": ["max_items"],
        "hint.yesno": [], "hint.date": [], "hint.number": ["min", "max"], "hint.text": ["max_length"],
        "hint.optional": [],
        "value.yes": [], "value.no": [], "value.none": [], "value.empty": [],
        "outcome.heading": [], "outcome.confirm_heading": [], "outcome.none": [],
        "office.phone": [], "office.address": [], "office.contacts": [],
        "command.help": [], "command.back": [], "command.change": [], "command.summary": [], "command.why": [],
        "command.language": [], "command.restart": [], "command.quit": [],
        "ui.help.heading": [], "ui.help.hint": [], "ui.unknown_command": ["command"], "ui.back.nothing": [],
        "ui.back.done": ["fact"],
        "ui.summary.heading": [], "ui.summary.empty": [],
        "ui.change.prompt": [], "ui.change.nothing": [], "ui.change.cancelled": [],
        "ui.change.done": ["fact", "old", "new"],
        "ui.change.dropped": ["facts"], "ui.why.heading": ["outcome"], "ui.why.none": [],
        "ui.language.prompt": [], "ui.language.changed": [], "ui.restart.confirm": [], "ui.restart.done": [],
        "ui.quit.confirm": [], "ui.goodbye": [], "ui.continue": [],
        "ui.kiosk.idle_warning": ["seconds"], "ui.kiosk.press_enter": [], "ui.kiosk.closed_idle": [],
        "ui.operator.passphrase": [], "ui.operator.wrong": [], "ui.item_added": ["item", "count"],
        // Said by consult-sshd itself, before or after a consultation runs.
        "ssh.needs_terminal": ["command"], "ssh.no_commands": ["command"], "ssh.busy": [], "ssh.unavailable": [],
        "ssh.time_limit": ["minutes"],
        // Records: the applicant's side (saving, the appointment request) and the staff's view.
        "records.unavailable": [], "appointment.summary_heading": [], "appointment.confirm": [],
        "appointment.saved": ["reference"], "appointment.not_saved": [],
        "answer.expected_phone": [], "answer.expected_email": [],
        "staff.transcript": ["id"], "staff.appointment": ["reference"], "staff.integrity": [],
        "staff.intact": ["count"], "staff.integrity_cut_short": ["count"], "staff.altered": ["line"],
        "staff.events": ["count"],
        "staff.channel": [], "staff.channel.local": [], "staff.channel.kiosk": [], "staff.channel.ssh": [],
        "staff.remote": [],
        "staff.started": [], "staff.ended": [], "staff.moscow_time": ["time"], "staff.language": [],
        "staff.languages_later": [],
        "staff.language_chosen": [], "staff.language_switched": [], "staff.today": [], "staff.content": [],
        "staff.facts": [], "staff.facts_reconstructed": [], "staff.outcomes": [], "staff.open_points": [],
        "staff.exchange": [],
        "staff.none": [], "staff.cut_short": [], "staff.reason.completed": [], "staff.reason.quit": [],
        "staff.reason.idle": [],
        "staff.reason.disconnected": [], "staff.reason.interrupted": [], "staff.reason.operatorExit": [],
        "staff.event.language": [], "staff.event.shown": [], "staff.event.question": [], "staff.event.answer": [],
        "staff.event.rejected": [], "staff.event.change": [], "staff.event.dropped": [], "staff.event.back": [],
        "staff.event.restart": [],
        "staff.event.command": [], "staff.event.outcome": [], "staff.event.appointment": [],
        "staff.event.appointment_failed": [], "staff.event.end": [],
        "staff.event.other": [], "staff.reference": [], "staff.created": [], "staff.applicant": [],
        "staff.preferences": [],
        "staff.question": [], "staff.transcript_id": [], "staff.no_transcripts": [], "staff.no_appointments": [],
        // Urgent requests (issue 10): the mark in `appointments list`, the field in `appointments show`.
        "staff.urgent_mark": [], "staff.urgent": [], "staff.urgent_call": [],
        "staff.transcript_not_found": ["id", "dir"], "staff.appointment_not_found": ["reference", "dir"],
        // Terminal (issue 9): an overlong line is refused at the reader; a crash's words are
        // rendered ahead (a signal handler cannot format); the end reasons of both.
        "ui.line_too_long": ["max_length"], "crash.apology": [],
        "staff.reason.input_ended": [], "staff.reason.crashed": [],
        // Records: failures and limits (a full disk, the size limit of a consultation's record, tampering).
        "records.failed": [], "records.closing": [], "records.limit": [], "staff.reason.record_limit": [],
        "staff.shortened": ["count"], "staff.unverified": ["line"], "staff.no_data_directory": ["dir"],
        "staff.no_transcripts_in": ["dir"], "staff.request_altered": ["reason"],
        // Sealed records (issue 13), read without an identity that opens them.
        "staff.sealed": [], "staff.sealed_field": [], "staff.sealed_by": ["host", "key", "recipients"],
        "staff.sealed_note": [],
        // Come back later (issue 13): a code to continue a consultation, `/pause`, the lawyer's view.
        "command.pause": [], "ui.resume.choice": [], "ui.resume.prompt": [], "ui.resume.not_a_code": [],
        "ui.resume.wrong": [], "ui.resume.expired": [], "ui.resume.blocked": [], "ui.resume.too_many": [],
        "ui.resume.damaged": [], "ui.resume.unavailable": [], "ui.resume.code": ["code", "date", "time"],
        "ui.resume.welcome_back": ["code", "date", "time"], "ui.resume.not_kept": [],
        "ui.pause.done": ["code", "date", "time"], "ui.pause.unavailable": [], "ui.pause.off": [],
        "staff.reason.paused": [], "staff.event.resumed": [], "staff.resumed_from": ["id"],
    ]

    /// The name of a fact, for summaries and the lawyer's view.
    public static func factName(_ fact: String) -> MessageKey { MessageKey("fact.\(fact)") }

    /// The short title of an outcome.
    public static func outcomeTitle(_ id: String) -> MessageKey { MessageKey("outcome.\(id).title") }
}

/// A language asked for that has no locale file.
public struct UnknownLanguage: Error, CustomStringConvertible {
    public let requested: String
    public let available: [String]

    public var description: String {
        "there is no locale '\(requested)' (available: \(available.joined(separator: ", ")))"
    }
}

extension Content {
    /// The language to show: the one asked for (it must have a locale file), else the
    /// environment's (`LC_ALL`, then `LANG`), else the fallback language.
    public func language(
        requested: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(UnknownLanguage) -> String {
        if let requested {
            guard localizer.hasLanguage(requested) else {
                throw UnknownLanguage(requested: requested, available: localizer.languages)
            }
            return requested
        }
        let fromEnvironment = String((environment["LC_ALL"] ?? environment["LANG"] ?? "").prefix(2))
        return localizer.hasLanguage(fromEnvironment) ? fromEnvironment : localizer.fallback
    }
}
