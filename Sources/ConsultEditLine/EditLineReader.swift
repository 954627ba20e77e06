internal import CLibEditShim
internal import CSignals
import ConsultTerminal
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why an ``EditLineReader`` could not be made.
public enum LineReaderError: Error, Equatable, Sendable {
    /// The input or output is not a terminal; use ``PlainLineReader``.
    case notATerminal
    /// Another ``EditLineReader`` already owns the terminal.
    case terminalInUse
    /// libedit could not be initialised (el_init or history_winit failed).
    case editLineUnavailable
}

/// The reader for this process's standard input and output: ``EditLineReader`` when both are
/// terminals, ``PlainLineReader`` otherwise (pipes, CI, `ssh -T`).
///
/// - Parameter suspendAllowed: `false` in kiosk mode: Ctrl-Z does not suspend the program.
public func makeLineReader(programName: String, suspendAllowed: Bool) -> LineReader {
    if isatty(0) == 1 && isatty(1) == 1,
        let reader = try? EditLineReader(programName: programName, suspendAllowed: suspendAllowed)
    {
        return reader
    }
    return PlainLineReader()
}

/// A line editor over libedit's wide-character API, for a person at a terminal: arrows, Home/End
/// as tmux, screen and PuTTY send them, in-memory history with Up/Down and Ctrl-R, Tab completion,
/// Ctrl-C cancels the line, Ctrl-D on an empty line ends the input.
///
/// It owns the `EditLine` and its history; the terminal's modes are saved at init and restored at
/// deinit, and after a crash (see ``CrashGuard``). Use one at a time, from the main thread only.
///
/// libedit's own signal handling (`EL_SIGNAL`) is off: its handler re-raises a signal to the whole
/// process group (`kill(0, …)`), so SIGTERM or SIGHUP to consult also killed the shell around it.
/// Instead libedit reads every character through ``readCharacter(into:)``: a read(2) that a signal
/// interrupts (EINTR) and that then looks at what came: Ctrl-C, the idle alarm or a termination
/// signal end the read; SIGWINCH resizes; Ctrl-Z stops this process alone, with the terminal given
/// back, and redraws the line when it goes on. Characters past ``LineLimit/characters`` on one line
/// are thrown away as they arrive (the line is then reported as too long).
public final class EditLineReader: LineReader {
    public var completion: (@Sendable (_ lineBeforeCursor: String) -> [String])?
    public var isInteractive: Bool { true }

    private var editLine: OpaquePointer
    private let history: OpaquePointer
    private let programName: String
    private let input: Int32
    private let output: Int32
    private let error: Int32
    private let suspendAllowed: Bool
    /// Whether Ctrl-Z stops the process (job control exists and suspending is allowed).
    private let suspendsOnCtrlZ: Bool
    /// What the prompt callback hands to libedit; kept until the next prompt replaces it.
    private var promptBuffer: UnsafeMutableBufferPointer<wchar_t>

    /// - Parameters:
    ///   - input, output, error: the terminal's file descriptors.
    ///   - programName: passed to `el_init` (names the program in libedit's messages).
    ///   - suspendAllowed: `false` in kiosk mode: SIGTSTP is ignored until deinit, and while a line
    ///     is edited the terminal has no suspend character and Ctrl-Z does nothing. Ctrl-Z does
    ///     nothing either when the process leads its session (a child of an SSH server, a
    ///     ForceCommand): nobody could resume it, so the kernel would drop the stop anyway.
    ///   - historySize: how many lines Up/Down and Ctrl-R can reach.
    /// - Throws: ``LineReaderError``.
    public init(
        input: Int32 = 0, output: Int32 = 1, error: Int32 = 2,
        programName: String, suspendAllowed: Bool = true, historySize: Int = 200
    ) throws {
        guard isatty(input) == 1, isatty(output) == 1 else { throw LineReaderError.notATerminal }
        TerminalLocale.ensureUTF8CharacterType()
        guard csignals_claim_terminal(input) == 0 else {
            throw errno == EBUSY ? LineReaderError.terminalInUse : LineReaderError.notATerminal
        }
        if !suspendAllowed { csignals_ignore_stop_signal(1) }
        let suspendsOnCtrlZ = suspendAllowed && getsid(0) != getpid()
        let history = clibedit_history_init(Int32(clamping: historySize))
        let editLine = history.flatMap {
            Self.makeEditLine(
                programName: programName, input: input, output: output, error: error,
                history: $0, suspendsOnCtrlZ: suspendsOnCtrlZ)
        }
        guard let history, let editLine else {
            if let history { history_wend(history) }
            if !suspendAllowed { csignals_ignore_stop_signal(0) }
            csignals_release_terminal()
            throw LineReaderError.editLineUnavailable
        }
        self.editLine = editLine
        self.history = history
        self.programName = programName
        self.input = input
        self.output = output
        self.error = error
        self.suspendAllowed = suspendAllowed
        self.suspendsOnCtrlZ = suspendsOnCtrlZ
        self.promptBuffer = Self.wideBuffer([])
        clibedit_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
        Self.restoreTerminalOnSignals()
    }

    deinit {
        clibedit_set_client_data(editLine, nil)
        clibedit_end(editLine)
        history_wend(history)
        promptBuffer.deallocate()
        if !suspendAllowed { csignals_ignore_stop_signal(0) }
        csignals_release_terminal()
    }

    /// Installs the crash handlers (``CrashGuard``), which put the terminal's saved modes back
    /// first. The initialiser calls it.
    public static func restoreTerminalOnSignals() {
        consult_crash_guard_install()
    }

    /// Characters thrown away from the line being read (past ``LineLimit/characters``).
    private var discarded = 0
    /// Where an escape sequence stands, so that keys such as arrows still work on a full line.
    private var escapeState = EscapeState.none

    private enum EscapeState {
        case none, escape, controlSequence
    }

    /// Text typed before an idle timeout, put back at the next read.
    private var carriedOver: [wchar_t]?

    public func readLine(prompt: String, timeout: Int?) -> LineReadResult {
        precondition(Thread.isMainThread, "EditLineReader.readLine must run on the main thread")
        let (leadingLines, lastLine) = LineReaderText.splitPrompt(prompt)
        if let leadingLines { write(leadingLines) }
        setPrompt(LineReaderText.editLinePrompt(lastLine))

        // The timeout counts from the last key, not from the prompt: when it runs out with text
        // typed since the previous check, the text is put back and the wait starts again.
        var typedAtLastCheck: [wchar_t]? = carriedOver
        if let carriedOver { clibedit_push(editLine, carriedOver + [0]) }
        carriedOver = nil
        while true {
            var count: Int32 = 0
            var errorNumber: Int32 = 0
            discarded = 0
            escapeState = .none
            csignals_catch_interrupt()
            csignals_catch_reading_signals(suspendsOnCtrlZ ? 1 : 0)
            if let timeout { csignals_arm_alarm(UInt32(max(1, timeout))) }
            let line = clibedit_gets(editLine, &count, &errorNumber)
            if timeout != nil { csignals_disarm_alarm() }
            csignals_release_reading_signals()
            csignals_release_interrupt()
            let interrupted = csignals_take_interrupt() == 1
            let timedOut = csignals_take_alarm() == 1

            if let line, count > 0 {
                var length = Int(count)
                if line[length - 1] == wchar_t(UInt8(ascii: "\n")) { length -= 1 }
                let text = String(wide: line, count: min(length, LineLimit.characters))
                if length + discarded > LineLimit.characters {
                    return .tooLong(LineReaderText.withoutControlCharacters(text), length: length + discarded)
                }
                return .line(LineReaderText.withoutControlCharacters(String(wide: line, count: Int(count))))
            }
            if count < 0 && timedOut && !interrupted {
                let typed = typedLine()
                if let typed, typed != typedAtLastCheck {
                    typedAtLastCheck = typed
                    write("\r\u{1B}[K")  // the prompt is drawn again on the same line
                    clibedit_push(editLine, typed + [0])
                    continue
                }
                write("\n")
                carriedOver = typed  // shown again at the next read (after the idle warning)
                return .timedOut
            }
            // Ctrl-C throws away what was typed ahead, as the terminal itself does.
            if interrupted { StandardInput.shared.discardBuffered() }
            // libedit leaves the cursor after the abandoned line (or after nothing, at Ctrl-D).
            write("\n")
            return count < 0 && (errorNumber == EINTR || interrupted) ? .interrupted : .endOfInput
        }
    }

    /// The text of the line being edited, nil when empty.
    private func typedLine() -> [wchar_t]? {
        guard let copy = clibedit_copy_line(editLine) else { return nil }
        defer { free(copy) }
        var result: [wchar_t] = []
        var p = copy
        while p.pointee != 0 {
            result.append(p.pointee)
            p += 1
        }
        return result
    }

    public func addHistory(_ line: String) {
        guard !line.isEmpty else { return }
        clibedit_history_enter(history, Self.wideString(line))
    }

    /// Empties the history and starts a fresh `EditLine`, so that the kill buffer (Ctrl-Y) and the
    /// last search pattern (Ctrl-R) go too.
    public func clearHistory() {
        carriedOver = nil
        // Nothing typed ahead by one applicant reaches the next.
        StandardInput.shared.discardBuffered()
        tcflush(input, TCIFLUSH)
        clibedit_history_clear(history)
        guard
            let fresh = Self.makeEditLine(
                programName: programName, input: input, output: output, error: error,
                history: history, suspendsOnCtrlZ: suspendsOnCtrlZ)
        else { return }
        clibedit_set_client_data(editLine, nil)
        clibedit_end(editLine)
        editLine = fresh
        clibedit_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
    }

    // MARK: - Setting up libedit

    private static func makeEditLine(
        programName: String, input: Int32, output: Int32, error: Int32,
        history: OpaquePointer, suspendsOnCtrlZ: Bool
    ) -> OpaquePointer? {
        guard let editLine = clibedit_init(programName, input, output, error) else { return nil }
        clibedit_set_editor(editLine, wideString("emacs"))
        // Off: libedit's handler signals the whole process group (see the type's comment).
        clibedit_set_signal_handling(editLine, 0)
        clibedit_set_character_reader(editLine) { editLine, character in
            guard let reader = EditLineReader.owner(of: editLine) else {
                errno = EIO
                return -1
            }
            return reader.readCharacter(into: character)
        }
        clibedit_set_history(editLine, history)
        clibedit_set_prompt(
            editLine,
            { editLine in EditLineReader.owner(of: editLine)?.promptBuffer.baseAddress },
            wchar_t(bitPattern: LineReaderText.literalDelimiter.value))

        addFunction(editLine, "consult-complete", "Complete the word before the cursor") { editLine, _ in
            guard let reader = EditLineReader.owner(of: editLine) else { return UInt8(CC_ERROR) }
            return reader.complete()
        }
        addFunction(editLine, "consult-eof-or-delete", "End of input on an empty line, else delete") { editLine, _ in
            EditLineReader.endOfInputOrDelete(editLine)
        }
        addFunction(editLine, "consult-ignore", "Do nothing") { _, _ in UInt8(CC_NORM) }

        for (keys, command) in keyBindings(suspendsOnCtrlZ: suspendsOnCtrlZ) {
            bind(editLine, keys, command)
        }
        if !suspendsOnCtrlZ { clibedit_disable_suspend_character(editLine) }
        return editLine
    }

    /// Bound explicitly, whatever the terminfo entry lists: tmux, screen and PuTTY send the
    /// `\e[1~` family for Home/End.
    private static func keyBindings(suspendsOnCtrlZ: Bool) -> [(String, String)] {
        var bindings: [(String, String)] = [
            ("\u{1B}[A", "ed-prev-history"), ("\u{1B}OA", "ed-prev-history"),
            ("\u{1B}[B", "ed-next-history"), ("\u{1B}OB", "ed-next-history"),
            ("\u{1B}[C", "ed-next-char"), ("\u{1B}OC", "ed-next-char"),
            ("\u{1B}[D", "ed-prev-char"), ("\u{1B}OD", "ed-prev-char"),
            ("\u{1B}[1;5C", "em-next-word"), ("\u{1B}[1;3C", "em-next-word"),
            ("\u{1B}[1;5D", "ed-prev-word"), ("\u{1B}[1;3D", "ed-prev-word"),
            ("\u{1B}[H", "ed-move-to-beg"), ("\u{1B}OH", "ed-move-to-beg"),
            ("\u{1B}[1~", "ed-move-to-beg"), ("\u{1B}[7~", "ed-move-to-beg"),
            ("\u{1B}[F", "ed-move-to-end"), ("\u{1B}OF", "ed-move-to-end"),
            ("\u{1B}[4~", "ed-move-to-end"), ("\u{1B}[8~", "ed-move-to-end"),
            ("\u{1B}[3~", "ed-delete-next-char"),
            ("\u{12}", "em-inc-search-prev"),  // ^R
            ("\u{17}", "ed-delete-prev-word"),  // ^W, as in a shell
            ("\u{9}", "consult-complete"),  // Tab
            ("\u{4}", "consult-eof-or-delete"),  // ^D, without libedit's "^D" echo
        ]
        if !suspendsOnCtrlZ {
            bindings.append(("\u{1A}", "consult-ignore"))  // ^Z
        }
        return bindings
    }

    private static func addFunction(
        _ editLine: OpaquePointer, _ name: String, _ help: String,
        _ function: @convention(c) (OpaquePointer, Int32) -> UInt8
    ) {
        clibedit_add_function(editLine, wideString(name), wideString(help), function)
    }

    private static func bind(_ editLine: OpaquePointer, _ keys: String, _ command: String) {
        clibedit_bind(editLine, wideString(keys), wideString(command))
    }

    private static func owner(of editLine: OpaquePointer) -> EditLineReader? {
        clibedit_client_data(editLine).map { Unmanaged<EditLineReader>.fromOpaque($0).takeUnretainedValue() }
    }

    // MARK: - Reading characters

    /// libedit's character reader (`EL_GETCFN`): 1 with a character, 0 at the end of input, -1 with
    /// errno set (EINTR: Ctrl-C, the alarm or a termination signal; el_wgets then returns at once).
    private func readCharacter(into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
        while true {
            switch nextScalar() {
            case .failure(let error):
                switch error.stop {
                case .end: return 0
                case .interrupted: errno = EINTR
                case .failed(let number): errno = number
                }
                return -1
            case .success(let scalar):
                if keepsCharacter(scalar) {
                    character.pointee = wchar_t(bitPattern: scalar.value)
                    return 1
                }
                discarded += 1
            }
        }
    }

    /// Whether a character read goes to libedit: always, until the line is full; then only keys
    /// (control characters: Enter, Backspace, Ctrl-C…) and escape sequences (arrows, Home, End).
    private func keepsCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        switch escapeState {
        case .escape:
            escapeState = value == 0x5B || value == 0x4F ? .controlSequence : .none  // [ or O
            return true
        case .controlSequence:
            if (0x40...0x7E).contains(value) { escapeState = .none }
            return true
        case .none:
            if value == 0x1B {
                escapeState = .escape
                return true
            }
        }
        if value < 0x20 || value == 0x7F { return true }
        guard let line = el_wline(editLine)?.pointee, let buffer = line.buffer, let lastchar = line.lastchar else {
            return true
        }
        return lastchar - buffer < LineLimit.characters
    }

    /// The next character of standard input, decoded from UTF-8 (invalid bytes become U+FFFD).
    private func nextScalar() -> Result<Unicode.Scalar, StandardInput.StopError> {
        let input = StandardInput.shared
        input.signals = [.termination, .interrupt, .editing]
        let stopOnSignal = { [editLine, suspendsOnCtrlZ] () -> Bool in
            if csignals_read_should_end() == 1 { return true }
            if csignals_take_window_change() == 1 { el_resize(editLine) }
            if suspendsOnCtrlZ && csignals_take_stop() == 1 {
                // Stop this process alone, the terminal as it was; on going on, draw the line again.
                clibedit_prepare_terminal(editLine, 0)
                csignals_stop_self()
                clibedit_prepare_terminal(editLine, 1)
                clibedit_refresh(editLine)
            }
            return false
        }
        let lead: UInt8
        switch input.byte(stopOnSignal) {
        case .failure(let error): return .failure(error)
        case .success(let byte): lead = byte
        }
        let length: Int
        var value: UInt32
        switch lead {
        case 0x00...0x7F: return .success(Unicode.Scalar(lead))
        case 0xC2...0xDF:
            length = 2
            value = UInt32(lead & 0x1F)
        case 0xE0...0xEF:
            length = 3
            value = UInt32(lead & 0x0F)
        case 0xF0...0xF4:
            length = 4
            value = UInt32(lead & 0x07)
        default: return .success("\u{FFFD}")
        }
        for _ in 1..<length {
            switch input.byte(stopOnSignal) {
            case .failure(let error): return .failure(error)
            case .success(let byte):
                guard byte & 0xC0 == 0x80 else {
                    input.unread()  // the start of the next character
                    return .success("\u{FFFD}")
                }
                value = value << 6 | UInt32(byte & 0x3F)
            }
        }
        let shortest: UInt32 = [2: 0x80, 3: 0x800, 4: 0x10000][length] ?? 0
        guard value >= shortest else { return .success("\u{FFFD}") }  // an overlong form
        return .success(Unicode.Scalar(value) ?? "\u{FFFD}")
    }

    // MARK: - Editor commands

    private static func endOfInputOrDelete(_ editLine: OpaquePointer) -> UInt8 {
        guard let line = el_wline(editLine)?.pointee else { return UInt8(CC_ERROR) }
        if line.buffer == line.lastchar { return UInt8(CC_EOF) }
        if line.cursor == line.lastchar { return UInt8(CC_ERROR) }
        el_cursor(editLine, 1)
        el_deletestr(editLine, 1)
        return UInt8(CC_REFRESH)
    }

    private func complete() -> UInt8 {
        guard let completion, let line = el_wline(editLine)?.pointee,
            let buffer = line.buffer, let cursor = line.cursor, let lastchar = line.lastchar
        else { return UInt8(CC_REFRESH_BEEP) }
        let lineBeforeCursor = String(wide: buffer, count: cursor - buffer)
        let spaceFollows = cursor < lastchar && cursor.pointee == wchar_t(UInt8(ascii: " "))
        let action = LineReaderText.completionAction(
            lineBeforeCursor: lineBeforeCursor, candidates: completion(lineBeforeCursor),
            spaceFollowsCursor: spaceFollows)
        switch action {
        case .beep:
            return UInt8(CC_REFRESH_BEEP)
        case .replace(let wordLength, let text):
            if wordLength > 0 { el_deletestr(editLine, Int32(wordLength)) }
            if el_winsertstr(editLine, Self.wideString(text)) != 0 {
                return UInt8(CC_REFRESH_BEEP)
            }
            return UInt8(CC_REFRESH)
        case .list(let candidates):
            let columns = Int(TerminalOutput.columns(output))
            write(
                "\n"
                    + LineReaderText.columns(candidates, terminalWidth: columns > 0 ? columns : 80) {
                        Self.displayWidth($0)
                    })
            return UInt8(CC_REDISPLAY)
        }
    }

    // MARK: - Text

    private func setPrompt(_ scalars: [Unicode.Scalar]) {
        promptBuffer.deallocate()
        promptBuffer = Self.wideBuffer(scalars)
    }

    private func write(_ text: String) {
        clibedit_write(editLine, text)
    }

    private static func displayWidth(_ text: String) -> Int {
        TextLayout.displayWidth(text)
    }

    /// A NUL-terminated wide string (UTF-32 on glibc and Darwin).
    private static func wideString(_ text: String) -> [wchar_t] {
        text.unicodeScalars.map { wchar_t(bitPattern: $0.value) } + [0]
    }

    private static func wideBuffer(_ scalars: [Unicode.Scalar]) -> UnsafeMutableBufferPointer<wchar_t> {
        let buffer = UnsafeMutableBufferPointer<wchar_t>.allocate(capacity: scalars.count + 1)
        for (index, scalar) in scalars.enumerated() { buffer[index] = wchar_t(bitPattern: scalar.value) }
        buffer[scalars.count] = 0
        return buffer
    }
}

extension String {
    /// Decodes `count` wide characters (UTF-32 code points); invalid ones become U+FFFD.
    fileprivate init(wide characters: UnsafePointer<wchar_t>, count: Int) {
        var scalars = String.UnicodeScalarView()
        for index in 0..<count {
            scalars.append(Unicode.Scalar(UInt32(bitPattern: characters[index])) ?? "\u{FFFD}")
        }
        self = String(scalars)
    }
}
