import ConsultTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

/// The real `consult` binary in a real pseudo-terminal: a tmux server of its own (its own socket,
/// so tests can run side by side), one session, one pane running the program under a small shell
/// wrapper. After the program ends the pane shows `EXIT=<status>`, the output of `stty -a`, and a
/// line `MODES: … :END` listing the terminal modes that matter, so that a test can check they were
/// restored.
///
/// Synchronisation is by polling `capture-pane` every 50 ms until the expected text is there;
/// a wait that times out throws with the last screen in the message.
final class TmuxHarness {
    /// tmux on the PATH or in the usual places; nil when it is not installed.
    static let tmux: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories =
            path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
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
        let consultations = ProcessTable.consultations(dataDirectory)
        guard !consultations.isEmpty else {
            throw HarnessError(description: "no consult process with \(dataDirectory.path) to signal")
        }
        for pid in consultations { Glibc.kill(pid, signal) }
    }

    /// Starts `consult <arguments>` (no `--today` added: pass it) in a `width`×`height` terminal.
    convenience init(_ arguments: [String], lang: LangSetting, width: Int = 100, height: Int = 50) throws {
        let binary = Binaries.consult
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw HarnessError(
                description: "no consult binary at \(binary.path): run `swift build --build-tests` first")
        }
        try self.init(
            command: { data in ["env"] + lang.envArguments + [binary.path] + arguments + ["--data-dir", data.path] },
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
        let command = command(self.dataDirectory).map(shellQuoted).joined(separator: " ")
        let script = directory.appendingPathComponent("run.sh")
        // The wrapper shell shares the program's process group, so the keys' signals reach it too:
        // a no-op trap keeps it alive to report (a caught signal is default again in the program).
        try """
        trap : INT QUIT TSTP TERM HUP
        cd \(shellQuoted(repositoryRoot.path)) || exit 99
        \(command)
        status=$?
        printf '\\nEXIT=%s\\n' "$status"
        stty -a
        printf 'MODES: %s:END\\n' "$(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig|iexten|icrnl|opost|onlcr|ixon)' | tr '\\n' ' ')"
        exec sleep 600

        """.write(to: script, atomically: true, encoding: .utf8)
        try run([
            "-f", config.path, "new-session", "-d", "-s", sessionName, "-x", String(width), "-y", String(height),
            "sh", script.path,
        ])
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
    func waitUntil(
        _ what: @autoclosure () -> String, in area: Area = .screen, timeout: Double = 10,
        _ condition: (String) -> Bool
    ) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while true {
            last = try capture(area)
            if condition(last) { return last }
            if Date() >= deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError(
            description: """
                timed out after \(timeout) s waiting for \(what()) on the \(area.rawValue); it showed:
                ------------------------------------------------------------------
                \(last.split(separator: "\n", omittingEmptySubsequences: false).suffix(60).joined(separator: "\n"))
                ------------------------------------------------------------------
                """)
    }

    /// Waits until `text` is on the screen (or in the scrollback), however it was wrapped.
    @discardableResult
    func waitFor(_ text: String, in area: Area = .screen, timeout: Double = 10) async throws -> String {
        try await waitUntil("“\(text)”", in: area, timeout: timeout) {
            Self.normalized($0).contains(Self.normalized(text))
        }
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
    func expectNew(
        _ text: String, prompt: String = ">", timeout: Double = 10, after action: () throws -> Void
    ) async throws -> String {
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

    /// Types each scripted answer as ``answer(_:then:prompt:timeout:)`` does, its next question's
    /// text in `language`; returns what the last one showed.
    @discardableResult
    func answer(_ script: [ScriptedAnswer], in language: LocaleText = .ru, timeout: Double = 10) async throws -> String
    {
        var shown = ""
        for step in script { shown = try await answer(step.typed, then: language[step.next], timeout: timeout) }
        return shown
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
        let text = try await waitUntil(
            "the program to exit (EXIT= and MODES: lines)", in: .scrollback, timeout: timeout
        ) {
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
        let status = try Spawn.spawnAndWait(
            tmux, ["-L", socket] + arguments, environment: environment,
            output: outputFile.path, error: errorFile.path)
        lastStatus = status
        let out = (try? Data(contentsOf: outputFile)) ?? Data()
        if check && status != 0 {
            let err = (try? Data(contentsOf: errorFile)) ?? Data()
            throw HarnessError(
                description: "tmux \(arguments.joined(separator: " ")) failed (\(status)): "
                    + String(decoding: err, as: UTF8.self))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
