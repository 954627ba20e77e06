import ConsultTestSupport
import Foundation
import Testing

extension ContentCopy {
    /// Replaces `old` by `new` in `locales/NAME.yaml` (written in place, as an editor would).
    func edit(locale name: String, replacing old: String, with new: String) throws {
        let file = locales.appendingPathComponent("\(name).yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains(old), "\(old) is not in \(file.path)")
        try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: file)
    }
}

/// Where the content an applicant reads comes from (issue 9, items 6 and 7): never from the
/// working directory, never from a folder others can write, and a kiosk serves an edit from the
/// next consultation on, or keeps the last good content when the edit does not load.
@Suite("content: where it comes from and when a kiosk loads it again")
struct ContentSourceTests {
    let en = LocaleText.en

    /// Found in issue 9: run from a folder holding a planted `locales/`, consult showed the
    /// applicant an attacker's phone number. By hand: copy dialogs/ and locales/ to /tmp/p, change
    /// the title and office.phone in /tmp/p/locales/en.yaml, `cd /tmp/p && consult --lang en`.
    @Test("content planted in the working directory is not what the applicant reads")
    func plantedContentIgnored() async throws {
        let planted = try ContentCopy()
        defer { planted.remove() }
        try planted.edit(locale: "en", replacing: en["app.title"], with: "PLANTED TITLE call +7 000 000-00-00")
        try planted.edit(locale: "en", replacing: en["office.phone"], with: "+7 000 000-00-00")
        let binary = Binaries.consult.path
        let terminal = try TmuxHarness(command: { data in
            [
                "sh", "-c",
                "cd \(shellQuoted(planted.root.path)) && exec env LANG=C.UTF-8 "
                    + "\(shellQuoted(binary)) --lang en --today \(testToday) --data-dir \(shellQuoted(data.path))",
            ]
        })
        defer { terminal.kill() }
        let screen = try await terminal.waitForPrompt(after: en["intake.language.prompt"])
        #expect(!screen.contains("PLANTED"), "the planted content was shown:\n\(screen)")
        #expect(TmuxHarness.normalized(screen).contains(TmuxHarness.normalized(en["app.title"])))
        try await terminal.answer("/help", then: en["intake.language.prompt"])
        #expect(!(try terminal.scrollback()).contains("000-00-00"))
    }

    @Test(
        "a content folder or file that others can write is refused with its path",
        arguments: ["locales", "dialogs", "locales/ru.yaml", "."])
    func writableContentRefused(_ path: String) async throws {
        let content = try ContentCopy()
        defer { content.remove() }
        let target = content.root.appendingPathComponent(path).standardizedFileURL
        try FileManager.default.setAttributes(
            [.posixPermissions: path.hasSuffix(".yaml") ? 0o666 : 0o777], ofItemAtPath: target.path)
        // Wide enough that the path is not wrapped.
        let terminal = try TmuxHarness(
            [
                "--lang", "en", "--today", testToday, "--dialogs", content.dialogs.path,
                "--locales", content.locales.path,
            ], lang: .unset, width: 400)
        defer { terminal.kill() }
        let exit = try await terminal.waitForExit()
        let screen = TmuxHarness.normalized(try terminal.scrollback())
        #expect(exit.status == 2)
        #expect(screen.contains(target.path), "the refusal does not name \(target.path):\n\(screen)")
        #expect(screen.contains("chmod go-w"))
        #expect(!screen.contains(en["intake.language.prompt"]), "a consultation started")
    }

    @Test("consult-sshd refuses at start a content folder others can write, naming it")
    func sshServerRefusesWritableContent() async throws {
        let content = try ContentCopy()
        defer { content.remove() }
        chmod(content.locales.path, 0o777)
        let refused = try await SSHServerLimitsTests.startFails([
            "--dialogs", content.dialogs.path, "--locales", content.locales.path,
        ])
        #expect(refused.contains(content.locales.path) && refused.contains("chmod go-w"), "\(refused)")
    }

    /// Found in issue 9: the kiosk loaded the content once, though the README says an edit takes
    /// effect at the next consultation.
    @Test(
        "kiosk: an edit is served from the next consultation; a broken edit is logged and the last good content stays")
    func kioskReloadsContent() async throws {
        let content = try ContentCopy()
        defer { content.remove() }
        let passphrase = try PassphraseFile()
        defer { passphrase.remove() }
        let terminal = try TmuxHarness(
            [
                "kiosk", "--today", testToday, "--passphrase-file", passphrase.url.path,
                "--dialogs", content.dialogs.path, "--locales", content.locales.path,
            ], lang: .unset)
        defer { terminal.kill() }
        try await terminal.waitForPrompt(after: en["intake.language.prompt"])

        // An edit while a consultation runs: served from the next one.
        try content.edit(locale: "en", replacing: en["app.title"], with: "Edited title, first revision")
        try await terminal.expectNew(en["ui.quit.confirm"]) { try terminal.press(.ctrlD) }
        try terminal.type("yes")
        try terminal.press(.enter)
        try await terminal.waitFor("Edited title, first revision")
        try await terminal.waitForPrompt(after: en["intake.language.prompt"])

        // A broken edit (a message whose placeholder is not closed): not served, logged.
        try content.edit(locale: "en", replacing: "Edited title, first revision", with: "Broken {title")
        try await terminal.expectNew(en["ui.quit.confirm"]) { try terminal.press(.ctrlD) }
        try terminal.type("yes")
        try terminal.press(.enter)
        try await terminal.waitUntil("a fresh greeting after the broken edit") { screen in
            screen.contains("Edited title, first revision") && TmuxHarness.lastLine(of: screen) == ">"
                && !screen.contains(en["ui.quit.confirm"])
        }
        #expect(!(try terminal.screen()).contains("Broken"))
        let log = try String(
            contentsOf: terminal.dataDirectory.appendingPathComponent("logs/consult.log"), encoding: .utf8)
        #expect(log.contains("content reloaded"), "\(log)")
        #expect(log.contains("content changed but not served"), "\(log)")
        #expect(log.contains("en.yaml:"), "the log does not name the broken file's place:\n\(log)")
        #expect(try !terminal.programEnded(), "the kiosk stopped serving")

        // Mended: served again.
        try content.edit(locale: "en", replacing: "Broken {title", with: "Mended title")
        try await terminal.expectNew(en["ui.quit.confirm"]) { try terminal.press(.ctrlD) }
        try terminal.type("yes")
        try terminal.press(.enter)
        try await terminal.waitFor("Mended title")
    }
}
