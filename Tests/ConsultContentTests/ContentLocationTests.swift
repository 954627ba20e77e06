import ConsultContent
import ConsultTestSupport
import Foundation
import Testing

/// Where content is looked up, in order, and never in the working directory unless editing.
@Suite("content location")
struct ContentLocationTests {
    /// An install prefix: PREFIX/bin/consult and PREFIX/share/consult/{dialogs,locales}.
    func prefix() throws -> URL {
        let root = temporaryPath("consult-prefix")
        for folder in ["bin", "share/consult/dialogs", "share/consult/locales"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        return root
    }

    @Test("given folders win, then CONSULT_CONTENT, then the install prefix beside the executable")
    func order() throws {
        let root = try prefix()
        defer { try? FileManager.default.removeItem(at: root) }
        let executable = root.appendingPathComponent("bin/consult").path
        let installed = ContentLocation.locate(dialogs: nil, locales: nil, environment: [:], executable: executable)
        #expect(installed.dialogs.path == root.appendingPathComponent("share/consult/dialogs").path)
        #expect(installed.source == "beside the executable")

        let fromEnvironment = ContentLocation.locate(
            dialogs: nil, locales: nil, environment: ["CONSULT_CONTENT": "/srv/c"], executable: executable)
        #expect(fromEnvironment.locales.path == "/srv/c/locales")
        #expect(fromEnvironment.source == "CONSULT_CONTENT")

        let given = ContentLocation.locate(
            dialogs: "/a/d", locales: nil, environment: ["CONSULT_CONTENT": "/srv/c"], executable: executable)
        #expect(given.dialogs.path == "/a/d")
        #expect(given.locales.path == "/srv/c/locales")
        #expect(given.source == "--dialogs/--locales")
    }

    @Test("the working directory is used only when editing (lint)")
    func workingDirectory() throws {
        let root = try prefix()
        defer { try? FileManager.default.removeItem(at: root) }
        let here = root.appendingPathComponent("share/consult")
        // Another folder holding content, as a planted one would.
        let planted = root.appendingPathComponent("planted")
        try FileManager.default.createDirectory(
            at: planted.appendingPathComponent("dialogs"), withIntermediateDirectories: true)
        let executable = root.appendingPathComponent("bin/consult").path
        let serving = ContentLocation.locate(
            dialogs: nil, locales: nil, environment: [:], executable: executable,
            workingDirectory: planted.path)
        #expect(serving.dialogs.path == here.appendingPathComponent("dialogs").path)
        let editing = ContentLocation.locate(
            dialogs: nil, locales: nil, editing: true, environment: [:], executable: executable,
            workingDirectory: planted.path)
        #expect(editing.dialogs.path == planted.appendingPathComponent("dialogs").path)
    }

    @Test("a file or folder others can write is refused, with its path; a sticky parent such as /tmp is not")
    func unsafe() throws {
        let root = try prefix()
        defer { try? FileManager.default.removeItem(at: root) }
        let content = root.appendingPathComponent("share/consult")
        let location = ContentLocation(
            dialogs: content.appendingPathComponent("dialogs"),
            locales: content.appendingPathComponent("locales"), source: "test")
        let file = location.locales.appendingPathComponent("en.yaml")
        try Data("x: 1\n".utf8).write(to: file)
        try location.checkOnlyOwnerCanChange()

        try FileManager.default.setAttributes([.posixPermissions: 0o664], ofItemAtPath: file.path)
        #expect(throws: ContentLocation.Unsafe.self) { try location.checkOnlyOwnerCanChange() }
        do { try location.checkOnlyOwnerCanChange() } catch { #expect(error.path == file.path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)

        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: content.path)
        try location.checkOnlyOwnerCanChange()
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: content.path)
        do {
            try location.checkOnlyOwnerCanChange()
            Issue.record("a folder others can write was accepted")
        } catch {
            #expect(error.path == content.path)
        }
    }
}
