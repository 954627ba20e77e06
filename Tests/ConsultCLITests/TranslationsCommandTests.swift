import ConsultTestSupport
import Foundation
import Testing

/// Stale translations: a changed English message, lint's warnings at its translations,
/// `consult translations status` and `mark-current`, on a copy of the shipped content.
@Suite struct TranslationsCommandTests {
    let runner = RunCommandTests()

    /// A copy of the shipped dialogs and locales.
    func contentCopy() throws -> URL {
        try ContentCopy("translations").root
    }

    func read(_ dir: URL, _ path: String) throws -> String {
        try String(contentsOf: dir.appendingPathComponent(path), encoding: .utf8)
    }

    func replace(_ old: String, with new: String, in path: String, _ dir: URL) throws {
        let text = try read(dir, path)
        #expect(text.contains(old), "\(path) lacks \(old)")
        try text.replacingOccurrences(of: old, with: new).write(
            to: dir.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    /// `locales/es.yaml:LINE:3`: where the message `key` is written.
    func place(of key: String, in path: String, _ dir: URL) throws -> String {
        let lines = try read(dir, path).components(separatedBy: "\n")
        let line = try #require(lines.firstIndex { $0.hasPrefix("  \(key):") })
        return "\(path):\(line + 1):3"
    }

    /// A plain message, a plural and a lawyer's version written over two lines.
    static let changes: [(key: String, old: String, new: String, wasEnglish: String, nowEnglish: String)] = [
        (
            "app.title", #""Migration law office: consultation assistant""#, #""Migration law office: consultations""#,
            "Migration law office: consultation assistant", "Migration law office: consultations"
        ),
        (
            "answer.too_many_items", "more than {max_items, plural,", "over {max_items, plural,",
            "You cannot add more than {max_items", "You cannot add over {max_items"
        ),
        (
            "vks.confirm.renunciation.lawyer", "applicant has to renounce their current",
            "applicant has to renounce their present",
            "renounce their current citizenship", "renounce their present citizenship"
        ),
    ]

    @Test(
        "changing one English message makes lint flag exactly its es and ru entries; mark-current clears them",
        arguments: changes.indices)
    func staleTranslations(_ index: Int) throws {
        let change = Self.changes[index]
        let dir = try contentCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try runner.consult(["lint"], in: dir).stdout.isEmpty)
        try replace(change.old, with: change.new, in: "locales/en.yaml", dir)

        let lint = try runner.consult(["lint"], in: dir)
        #expect(lint.status == 0)  // warnings
        let lines = lint.stdout.split(separator: "\n").map(String.init)
        let places = try ["locales/es.yaml", "locales/ru.yaml"].map { try place(of: change.key, in: $0, dir) }
        #expect(lines.map { String($0.prefix { $0 != " " }) } == places.map { $0 + ":" }, "\(lint.stdout)")
        for line in lines {
            #expect(line.hasSuffix("[stale-translation]"))
            #expect(line.contains("warning: the translation of '\(change.key)' was made from older English: was \""))
            #expect(line.contains(change.wasEnglish) && line.contains(change.nowEnglish))
            #expect(line.contains("then run `consult translations mark-current \(change.key)`"))
        }
        #expect(lint.stderr.contains("0 errors, 2 warnings"))

        let spanish = try read(dir, "locales/es.yaml")
        let marked = try runner.consult(["translations", "mark-current", change.key], in: dir)
        #expect(marked.status == 0)
        #expect(
            marked.stdout
                == "es: 1 message marked current in locales/es.yaml\nru: 1 message marked current in locales/ru.yaml\n")
        #expect(try runner.consult(["lint"], in: dir).stdout.isEmpty)

        // One line of es.yaml changed: the record of that key, now made from the new English.
        let before = spanish.components(separatedBy: "\n")
        let after = try read(dir, "locales/es.yaml").components(separatedBy: "\n")
        #expect(before.count == after.count)
        let changed = before.indices.filter { before[$0] != after[$0] }
        #expect(changed.count == 1)
        if let i = changed.first {
            #expect(after[i].hasPrefix("  \(change.key): \""))
            #expect(after[i].contains(change.nowEnglish) && before[i].contains(change.wasEnglish))
        }
    }

    @Test("status gives each language's figures; a new translation without a record is not current")
    func status() throws {
        let dir = try contentCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        try replace(
            #""Migration law office: consultation assistant""#, with: #""Consultations""#, in: "locales/en.yaml", dir)
        // ru loses a translation (the applicant would read English); its record stays.
        let ru = dir.appendingPathComponent("locales/ru.yaml")
        var russian = try read(dir, "locales/ru.yaml")
        russian.replaceSubrange(try #require(russian.range(of: "  app.title:")), with: "  app.title_old:")
        try russian.write(to: ru, atomically: true, encoding: .utf8)

        let text = try runner.consult(["translations", "status"], in: dir)
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(
            lines.first?.hasPrefix("es: ") == true
                && lines.first?.contains(", 0 missing, 1 stale, 0 unrecorded, ") == true)

        struct Coverage: Decodable {
            let language: String
            let total, translated, missing, stale, unrecorded, current: Int
        }
        let json = try runner.consult(["translations", "status", "--format", "json"], in: dir)
        let coverage = try JSONDecoder().decode([Coverage].self, from: Data(json.stdout.utf8))
        #expect(coverage.map(\.language) == ["es", "ru"])
        let es = try #require(coverage.first), russianCoverage = try #require(coverage.last)
        #expect(es.translated == es.total && es.missing == 0 && es.stale == 1 && es.current == es.total - 1)
        #expect(
            russianCoverage.missing == 1 && russianCoverage.translated == russianCoverage.total - 1
                && russianCoverage.stale == 0 && russianCoverage.current == russianCoverage.total - 1)
        // The record of app.title is left over in ru.yaml: lint says so.
        let lint = try runner.consult(["lint"], in: dir).stdout
        #expect(
            lint.contains(
                "translated_from names 'app.title', which this file does not translate; remove the line [orphan-source]"
            ))
    }

    @Test("an unknown key or language is refused and nothing is written")
    func unknownKeyRefused() throws {
        let dir = try contentCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spanish = try read(dir, "locales/es.yaml")
        let unknown = try runner.consult(["translations", "mark-current", "app.title", "no.such.key"], in: dir)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("error: locales/en.yaml has no message 'no.such.key'; nothing was marked"))
        let language = try runner.consult(["translations", "mark-current", "app.title", "--lang", "fr"], in: dir)
        #expect(language.status == 1 && language.stderr.contains("no translation 'fr' (translations: es, ru)"))
        #expect(try read(dir, "locales/es.yaml") == spanish)
        let neither = try runner.consult(["translations", "mark-current"], in: dir)
        #expect(neither.status != 0 && neither.stderr.contains("give message keys or --all"))
    }
}
