import Foundation

/// Where the suite finds what it measures: the checkout (two folders above `Benchmarks/`), the
/// release binaries `make bench` built there, and the floor program built in this package.
enum Places {
    /// The checkout: `$CONSULT_ROOT`, else three folders above this file.
    static let root: URL = {
        if let root = ProcessInfo.processInfo.environment["CONSULT_ROOT"], !root.isEmpty {
            return URL(fileURLWithPath: root)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// `consult` as shipped (`make build`): `$CONSULT_BINARY`, else the checkout's release build.
    static var consult: String {
        ProcessInfo.processInfo.environment["CONSULT_BINARY"] ?? root.appendingPathComponent(".build/release/consult").path
    }

    /// The C floor, built by `make bench` in this package's release folder.
    static var floor: String {
        root.appendingPathComponent("Benchmarks/.build/release/libedit-floor").path
    }

    static var dialogs: URL { root.appendingPathComponent("dialogs") }
    static var locales: URL { root.appendingPathComponent("locales") }

    /// A fresh folder under the temporary directory.
    static func scratch(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("consult-bench-\(name)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
