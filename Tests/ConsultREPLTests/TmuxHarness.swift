#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ConsultContent
import ConsultEngine
import ConsultLocalization
import Foundation
import Testing

/// What the program's environment says about the character set. Every REPL test runs once with
/// each: the program must read Cyrillic and Spanish input whatever `LANG` says.
enum LangSetting: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case unset
    case cUTF8

    var testDescription: String { self == .unset ? "LANG unset" : "LANG=C.UTF-8" }

    /// Arguments of `env` before the program.
    var envArguments: [String] {
        switch self {
        case .unset: ["-u", "LANG", "-u", "LC_ALL", "-u", "LC_CTYPE"]
        case .cUTF8: ["-u", "LC_ALL", "-u", "LC_CTYPE", "LANG=C.UTF-8"]
        }
    }
}

/// Why a harness step failed; the description carries what the terminal showed, so that a failure
/// can be read without running the test again.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
}

/// The real `consult` binary in a real pseudo-terminal: a tmux server of its own (its own socket,
/// so tests can run side by side), one session, one pane running the program under a small shell
/// wrapper. After the program ends the pane shows `EXIT=<status>`, the output of `stty -a`, and a
/// line `MODES: … :END` listing the terminal modes that matter, so that a test can check they were
/// restored.
///
/// Synchronisation is by polling `capture-pane` every 50 ms until the expected text is there;
/// a wait that times out throws with the last screen in the message.
final class TmuxHarness {
    /// The package's root directory (the content, `dialogs/` and `locales/`, is read from there).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$CONSULT_REPL_BINARY` when set (a release build, an older build to compare), else the
    /// `consult` built beside this test bundle, else `.build/debug/consult` of this package.
    static var binary: URL {
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

    /// tmux on the PATH or in the usual places; nil when it is not installed.
    static let tmux: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        return directories.map { $0 + "/tmux" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The keys the tests press, by their tmux names.
    enum Key: String {
        case enter = "Enter", tab = "Tab", backspace = "BSpace", left = "Left", right = "Right"
        case up = "Up", down = "Down", home = "Home", end = "End"
        case ctrlC = "C-c", ctrlD = "C-d", ctrlZ = "C-z", ctrlBackslash = "C-\\", ctrlU = "C-u"
    }

    enum Area: String {
        case screen, scrollback
    }

    let socket: String
    let sessionName = "consult"
    let width: Int
    let height: Int
    /// A directory of this harness's own: the wrapper script, the tmux configuration, test files.
    let directory: URL
    private var killed = false
    /// The tmux server's process, killed directly should `kill-server` fail.
    private var serverPID: Int32 = 0
    private var lastStatus: Int32 = 0
    /// tmux 3.3 leaves its socket file behind when the server ends.
    private var socketPath: String?

    /// Where the program under test keeps its transcripts and appointment requests.
    let dataDirectory: URL

    /// Sends `signal` to the program under test (found by its data directory on its command line).
    func signalProgram(_ signal: Int32) throws {
        let proc = URL(fileURLWithPath: "/proc")
        var sent = 0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: proc.path)) ?? [] {
            guard let pid = Int32(entry),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.first?.hasSuffix("/consult") == true && arguments.contains(dataDirectory.path) {
                Glibc.kill(pid, signal)
                sent += 1
            }
        }
        guard sent > 0 else { throw HarnessError(description: "no consult process with \(dataDirectory.path) to signal") }
    }

    /// Starts `consult <arguments>` (no `--today` added: pass it) in a `width`×`height` terminal.
    convenience init(_ arguments: [String], lang: LangSetting, width: Int = 100, height: Int = 50) throws {
        let binary = Self.binary
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw HarnessError(description: "no consult binary at \(binary.path): run `swift build --build-tests` first")
        }
        try self.init(command: { data in ["env"] + lang.envArguments + [binary.path] + arguments + ["--data-dir", data.path] },
                      width: width, height: height)
    }

    /// Starts `command` (built from the harness's data directory) in a `width`×`height` terminal:
    /// `consult` itself, or an `ssh` client whose server writes to `dataDirectory`.
    init(command: (URL) -> [String], dataDirectory: URL? = nil, width: Int = 100, height: Int = 50) throws {
        guard Self.tmux != nil else {
            throw HarnessError(description: "tmux is not installed (`make test` installs it; or apt-get install tmux)")
        }
        let id = UUID().uuidString.lowercased()
        socket = "consult-test-\(id)"
        self.width = width
        self.height = height
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("consult-repl-\(id)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let config = directory.appendingPathComponent("tmux.conf")
        try """
            set -g status off
            set -g history-limit 20000
            set -g escape-time 0

            """.write(to: config, atomically: true, encoding: .utf8)

        // Records go to a data directory of this harness's own (and name the process for signals).
        self.dataDirectory = dataDirectory ?? directory.appendingPathComponent("data")
        let command = command(self.dataDirectory).map(Self.shellQuoted).joined(separator: " ")
        let script = directory.appendingPathComponent("run.sh")
        // The wrapper shell shares the program's process group, so the keys' signals reach it too:
        // a no-op trap keeps it alive to report (a caught signal is default again in the program).
        try """
            trap : INT QUIT TSTP TERM HUP
            cd \(Self.shellQuoted(Self.repositoryRoot.path)) || exit 99
            \(command)
            status=$?
            printf '\\nEXIT=%s\\n' "$status"
            stty -a
            printf 'MODES: %s:END\\n' "$(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig|iexten|icrnl|opost|onlcr|ixon)' | tr '\\n' ' ')"
            exec sleep 600

            """.write(to: script, atomically: true, encoding: .utf8)
        try run(["-f", config.path, "new-session", "-d", "-s", sessionName, "-x", String(width), "-y", String(height),
                 "sh", script.path])
        let server = try run(["display-message", "-p", "-t", sessionName, "#{pid} #{socket_path}"])
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 1).map(String.init)
        serverPID = Int32(server.first ?? "") ?? 0
        socketPath = server.count == 2 ? server[1] : nil
    }

    deinit {
        kill()
    }

    /// Ends the tmux server (and with it the program and the wrapper) and removes the directory.
    func kill() {
        guard !killed else { return }
        killed = true
        let stopped = (try? run(["kill-server"], check: false)) != nil && lastStatus == 0
        if !stopped && serverPID > 0 { _ = Foundation.kill(serverPID, SIGKILL) }
        if let socketPath { try? FileManager.default.removeItem(atPath: socketPath) }
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: - Input

    /// Types text literally (UTF-8, Cyrillic included), without Enter.
    func type(_ text: String) throws {
        try run(["send-keys", "-t", sessionName, "-l", "--", text])
    }

    /// Presses keys by their tmux names: Enter, Tab, BSpace, Left, Home, End, Up, C-c, C-d, C-z…
    func press(_ keys: String...) throws {
        try run(["send-keys", "-t", sessionName] + keys)
    }

    func press(_ keys: Key...) throws {
        try run(["send-keys", "-t", sessionName] + keys.map(\.rawValue))
    }

    /// Resizes the terminal (the program gets SIGWINCH; over SSH, the client sends window-change).
    func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", sessionName, "-x", String(width), "-y", String(height)])
    }

    // MARK: - Output

    /// The visible screen, one line per row, trailing blanks trimmed, escapes dropped.
    func screen() throws -> String {
        try run(["capture-pane", "-p", "-t", sessionName])
    }

    /// The whole history of the pane and the visible screen.
    func scrollback() throws -> String {
        try run(["capture-pane", "-p", "-S", "-", "-t", sessionName])
    }

    func capture(_ area: Area) throws -> String {
        area == .screen ? try screen() : try scrollback()
    }

    /// The last non-empty row of the screen: where the prompt and what is being typed stand.
    func lastLine() throws -> String {
        Self.lastLine(of: try screen())
    }

    static func lastLine(of screen: String) -> String {
        screen.split(separator: "\n", omittingEmptySubsequences: true).last.map(String.init) ?? ""
    }

    /// What is typed after the prompt (`> ` or `# `) on the last row; nil when the last row is no prompt.
    static func input(of screen: String) -> String? {
        let line = lastLine(of: screen)
        guard line.hasPrefix(">") || line.hasPrefix("#") else { return nil }
        let rest = line.dropFirst()
        return String(rest.hasPrefix(" ") ? rest.dropFirst() : rest)
    }

    /// Text with every run of white space (line breaks from wrapping, no-break and narrow no-break
    /// spaces included) made one space: a sentence is found however the screen wrapped it.
    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func occurrences(of needle: String, in haystack: String) -> Int {
        let needle = normalized(needle)
        guard !needle.isEmpty else { return 0 }
        var count = 0
        var rest = normalized(haystack)[...]
        while let range = rest.range(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }

    // MARK: - Waiting

    /// Polls `area` every 50 ms until `condition` holds; returns the capture that satisfied it.
    @discardableResult
    func waitUntil(_ what: @autoclosure () -> String, in area: Area = .screen, timeout: Double = 10,
                   _ condition: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while true {
            last = try capture(area)
            if condition(last) { return last }
            if Date() >= deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError(description: """
            timed out after \(timeout) s waiting for \(what()) on the \(area.rawValue); it showed:
            ------------------------------------------------------------------
            \(last.split(separator: "\n", omittingEmptySubsequences: false).suffix(60).joined(separator: "\n"))
            ------------------------------------------------------------------
            """)
    }

    /// Waits until `text` is on the screen (or in the scrollback), however it was wrapped.
    @discardableResult
    func waitFor(_ text: String, in area: Area = .screen, timeout: Double = 10) async throws -> String {
        try await waitUntil("“\(text)”", in: area, timeout: timeout) { Self.normalized($0).contains(Self.normalized(text)) }
    }

    /// Waits until the program waits for a line: `text` stands above and the last row is an empty prompt.
    @discardableResult
    func waitForPrompt(after text: String, prompt: String = ">", timeout: Double = 10) async throws -> String {
        try await waitUntil("“\(text)” and then an empty “\(prompt)” prompt", timeout: timeout) {
            Self.normalized($0).contains(Self.normalized(text)) && Self.lastLine(of: $0) == prompt
        }
    }

    /// Waits until the input line reads `typed` (what libedit shows after the prompt).
    @discardableResult
    func waitForInput(_ typed: String, timeout: Double = 10) async throws -> String {
        try await waitUntil("the input line “> \(typed)”", timeout: timeout) { Self.input(of: $0) == typed }
    }

    /// Does something that should show `text` once more than it is shown now (a question asked
    /// again, a message repeated), then waits for that new occurrence and an empty prompt after it.
    @discardableResult
    func expectNew(_ text: String, prompt: String = ">", timeout: Double = 10, after action: () throws -> Void) async throws -> String {
        let before = Self.occurrences(of: text, in: try scrollback())
        try action()
        let scrollback = try await waitUntil("a new “\(text)” and an empty prompt", in: .scrollback, timeout: timeout) {
            Self.occurrences(of: text, in: $0) > before && Self.lastLine(of: $0) == prompt
        }
        return scrollback
    }

    /// Types a line, presses Enter and waits until `next` is newly shown with an empty prompt below.
    @discardableResult
    func answer(_ line: String, then next: String, prompt: String = ">", timeout: Double = 10) async throws -> String {
        try await expectNew(next, prompt: prompt, timeout: timeout) {
            try type(line)
            try press(.enter)
        }
    }

    /// How the program ended: its exit status and the terminal modes the wrapper found afterwards.
    struct Exit {
        let status: Int
        let modes: Set<String>

        /// Canonical input, echo and signals on again: the terminal was given back as it was found.
        var terminalRestored: Bool {
            ["icanon", "echo", "isig"].allSatisfy { modes.contains($0) }
                && !["-icanon", "-echo", "-isig"].contains { modes.contains($0) }
        }
    }

    /// Waits for the wrapper's `EXIT=` and `MODES:` lines.
    func waitForExit(timeout: Double = 10) async throws -> Exit {
        let text = try await waitUntil("the program to exit (EXIT= and MODES: lines)", in: .scrollback, timeout: timeout) {
            $0.contains("EXIT=") && $0.contains(":END")
        }
        let lines = text.split(separator: "\n").map(String.init)
        let status = lines.last { $0.hasPrefix("EXIT=") }.flatMap { Int($0.dropFirst("EXIT=".count)) } ?? -1
        let modesLine = lines.last { $0.hasPrefix("MODES:") } ?? ""
        let modes = modesLine.dropFirst("MODES:".count).replacingOccurrences(of: ":END", with: "")
            .split(separator: " ").map(String.init)
        return Exit(status: status, modes: Set(modes))
    }

    /// Whether the wrapper has printed `EXIT=` (the program ended).
    func programEnded() throws -> Bool {
        try scrollback().contains("EXIT=")
    }

    // MARK: - tmux

    /// Runs one tmux command against this harness's server and returns what it printed.
    @discardableResult
    private func run(_ arguments: [String], check: Bool = true) throws -> String {
        guard let tmux = Self.tmux else { throw HarnessError(description: "tmux is not installed") }
        var environment = ProcessInfo.processInfo.environment
        // tmux itself works in UTF-8; what the program sees is set by the wrapper (`env`).
        environment["TMUX"] = nil
        environment["LC_ALL"] = nil
        environment["LC_CTYPE"] = nil
        environment["LANG"] = "C.UTF-8"
        let id = UUID().uuidString
        let outputFile = directory.appendingPathComponent("out-\(id)")
        let errorFile = directory.appendingPathComponent("err-\(id)")
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        let status = try Self.spawnAndWait(tmux, ["-L", socket] + arguments, environment: environment,
                                           output: outputFile.path, error: errorFile.path)
        lastStatus = status
        let out = (try? Data(contentsOf: outputFile)) ?? Data()
        if check && status != 0 {
            let err = (try? Data(contentsOf: errorFile)) ?? Data()
            throw HarnessError(description: "tmux \(arguments.joined(separator: " ")) failed (\(status)): "
                + String(decoding: err, as: UTF8.self))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `posix_spawn` and `waitpid`, output to files, every other descriptor closed in the child.
    ///
    /// Not Foundation's `Process`: its `waitUntilExit` hung for good here when two tests started
    /// tmux at the same moment. Not pipes: the server that `new-session` forks keeps whatever
    /// descriptors it inherits, so reading a pipe to its end could wait as long as the server
    /// lives (ours, or another test's `Process` pipe inherited by it). Hence the closing of every
    /// descriptor from 3 up (`posix_spawn_file_actions_addclosefrom_np`, glibc 2.34+, looked up at
    /// run time; `POSIX_SPAWN_CLOEXEC_DEFAULT` on Darwin).
    static func spawnAndWait(_ executable: String, _ arguments: [String], environment: [String: String],
                             output: String, error: String) throws -> Int32 {
        try waitForExit(try spawn(executable, arguments, environment: environment, output: output, error: error))
    }

    /// Starts `executable` as ``spawnAndWait`` does, without waiting; standard input is
    /// `/dev/null` or the descriptor `input` (a pipe's read end).
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String],
                      input: Int32? = nil, output: String, error: String) throws -> pid_t {
        #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, error, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // The calling thread's signal mask and dispositions are the test runner's (its worker
        // threads block most signals): a tmux server that inherits them never sees its children
        // exit, ignores kill-server and SIGTERM, and passes the mask on to the program under test.
        var noSignals = sigset_t()
        var allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        #if canImport(Glibc)
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
        #elseif canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw HarnessError(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// Waits for `pid`; its exit status, or 128 + the signal that ended it.
    static func waitForExit(_ pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw HarnessError(description: "waitpid: \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import (they are macros).
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    static func shellQuoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// The sentences the applicant reads, rendered by the project's own renderer from the shipped
/// catalogs (`locales/*.yaml`): includes (`{@office.phone}`), plural and select forms and no-break
/// spaces come out exactly as the program writes them, so that tests assert on what the applicant
/// reads and keep passing when a translator rewords it.
///
/// A message is rendered with the facts a test knows: by default the applicant is the specialist
/// (`applicant_role` `vks`); ``relative`` gives the texts a relative of one reads.
struct LocaleText: Sendable {
    let code: String
    /// The facts the test knows, by name (values a `select` branches on).
    let facts: [String: String]

    /// The shipped content, loaded once with the program's own loader.
    static let content: Content = {
        do {
            return try Content.load(dialogs: TmuxHarness.repositoryRoot.appendingPathComponent("dialogs"),
                                    locales: TmuxHarness.repositoryRoot.appendingPathComponent("locales"))
        } catch {
            fatalError("the shipped content does not load:\n\(error)")
        }
    }()

    static let en = LocaleText(code: "en")
    static let es = LocaleText(code: "es")
    static let ru = LocaleText(code: "ru")

    init(code: String, facts: [String: String] = ["applicant_role": "vks"]) {
        self.code = code
        self.facts = facts
    }

    /// The same texts as a relative of a specialist reads them (`applicant_role` `family_member`).
    var relative: LocaleText { with(["applicant_role": "family_member"]) }

    /// The same texts with more facts known.
    func with(_ more: [String: String]) -> LocaleText {
        LocaleText(code: code, facts: facts.merging(more) { _, new in new })
    }

    private var catalog: Catalog? { Self.content.localizer.catalogs[code] }

    /// Lists by `section.key`: `commands.back`, `words.yes`, `words.no`.
    var lists: [String: [String]] {
        guard let catalog else { return [:] }
        var lists: [String: [String]] = ["words.yes": catalog.yesWords, "words.no": catalog.noWords]
        for (name, words) in catalog.commands { lists["commands.\(name)"] = words }
        return lists
    }

    private func argument(_ name: String, _ arguments: [String: String]) -> Argument? {
        if let value = arguments[name] { return .text(value) }
        if let value = facts[name] { return .choice(value: value, text: value) }
        return nil
    }

    /// The message with its placeholders filled from `arguments` (already written as the applicant
    /// reads them) and its selects decided by the known facts; `name` is the language's own name.
    func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
        if key == "name" { return catalog?.name ?? "<missing \(code) name>" }
        guard catalog?.messages[MessageKey(key)] != nil else { return "<missing \(code) message \(key)>" }
        return Self.content.localizer.text(MessageKey(key), language: code) { argument($0, arguments) }
    }

    subscript(_ key: String) -> String { text(key) }

    /// The message up to its first part that depends on a value the test does not know (a
    /// placeholder or a plural form); includes are written out and selects on known facts decided.
    func lead(_ key: String) -> String {
        guard let message = catalog?.messages[MessageKey(key)] else { return "<missing \(code) message \(key)>" }
        var out = ""
        _ = write(message.parts, into: &out)
        let lead = out.trimmingCharacters(in: .whitespaces)
        // An empty lead would be found on any screen: a test relying on it could not fail.
        return lead.isEmpty ? "<no known lead in \(code) message \(key)>" : lead
    }

    /// Writes `parts` until one needs an unknown value; false when it stopped there.
    private func write(_ parts: [MessageFormat.Part], into out: inout String) -> Bool {
        for part in parts {
            switch part {
            case .text(let text):
                out += text
            case .include(let key):
                out += self.text(key)
            case .select(let name, let branches):
                guard let value = facts[name], let branch = branches[value] ?? branches["other"] else { return false }
                if !write(branch, into: &out) { return false }
            case .placeholder, .plural, .number:
                return false
            }
        }
        return true
    }

    /// Items as the locale's list patterns join them ("A, B и C").
    func list(_ items: [String]) -> String {
        catalog?.join(items) ?? items.joined(separator: ", ")
    }

    /// Two items as the locale's list pattern joins them ("A и B").
    func pair(_ first: String, _ second: String) -> String {
        catalog?.join([first, second]) ?? "\(first), \(second)"
    }
}
