import ConsultContent
import ConsultRecords
import Foundation

/// The package's root directory, found from this file's place (`Tests/ConsultTestSupport/`): the
/// shipped content (`dialogs/`, `locales/`), the fixtures, the recipes.
public let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shipped content (`dialogs/` and `locales/`), loaded once with the program's own loader.
public let shipped: Content = {
    do {
        return try Content.load(
            dialogs: repositoryRoot.appendingPathComponent("dialogs"),
            locales: repositoryRoot.appendingPathComponent("locales"))
    } catch {
        fatalError("the shipped content does not load:\n\(error)")
    }
}()

/// Replaces the no-break spaces Foundation puts in dates and numbers with plain spaces: a
/// no-break space (U+00A0) or a narrow one (U+202F) in "31 марта 2028 г." and "1 234", depending on
/// the ICU version.
public func plainSpaces(_ s: String) -> String {
    s.replacingOccurrences(of: "\u{00A0}", with: " ").replacingOccurrences(of: "\u{202F}", with: " ")
}

// MARK: - Temporary files and folders

/// `PREFIX-UUID` (with `.EXT` when given) under the system's temporary folder; nothing is created.
public func temporaryPath(_ prefix: String, extension ext: String? = nil) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent(
        "\(prefix)-\(UUID().uuidString)" + (ext.map { ".\($0)" } ?? ""))
}

/// A new, empty folder `PREFIX-UUID` under the system's temporary folder.
public func temporaryDirectory(_ prefix: String) throws -> URL {
    let directory = temporaryPath(prefix)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// A fresh, prepared data directory under the system's temporary folder, named after `name`
/// (the calling test's, by default).
public func temporaryDataDirectory(_ name: String = #function) throws -> DataDirectory {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let directory = DataDirectory(temporaryPath("consult-records-\(safe)"))
    try directory.prepare()
    return directory
}

public func removeDirectory(_ directory: DataDirectory) {
    try? FileManager.default.removeItem(at: directory.url)
}

/// A copy of the shipped `dialogs/` and `locales/` in a folder of its own, to edit or plant.
public struct ContentCopy: Sendable {
    public let root: URL
    public var dialogs: URL { root.appendingPathComponent("dialogs") }
    public var locales: URL { root.appendingPathComponent("locales") }

    public init(_ prefix: String = "consult-content") throws {
        root = try temporaryDirectory(prefix)
        for folder in ["dialogs", "locales"] {
            try FileManager.default.copyItem(
                at: repositoryRoot.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
    }

    public func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}
