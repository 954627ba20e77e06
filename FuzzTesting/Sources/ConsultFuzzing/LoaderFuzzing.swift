import ConsultContent
import ConsultEngine
import ConsultLocalization

/// Input: the text of one `dialogs/*.yaml` file. Every problem must come back as a diagnostic with
/// a place in the file, never as a crash, a hang or a stack overflow (deep nesting included).
enum DialogLoaderFuzzing {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var diagnostics: [Diagnostic] = []
        if let file = YAMLFile.parse(text, displayPath: "dialogs/fuzz.yaml", into: &diagnostics) {
            diagnostics += DialogLoader.load([file]).diagnostics
        }
        requirePlaced(diagnostics)
    }
}

/// Input: the text of one `locales/*.yaml` file. A catalog that loads has each of its messages
/// written with arguments of every kind, as the applicant's screen and the staff view do.
enum LocaleLoaderFuzzing {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var diagnostics: [Diagnostic] = []
        defer { requirePlaced(diagnostics) }
        guard let file = YAMLFile.parse(text, displayPath: "locales/en.yaml", into: &diagnostics),
            let catalog = CatalogLoader.load(file, expectedLanguage: "en", into: &diagnostics)
        else { return }
        let localizer = Localizer(catalogs: [catalog])
        for key in catalog.messages.keys.sorted().prefix(64) {
            _ = localizer.text(key, language: "en", MessageFormatFuzzing.argument(seed: 0))
        }
        _ = catalog.join(["a", "b", "c"])
        _ = localizer.vocabulary("en").yesWords
    }
}

/// Every diagnostic has a place that an editor can go to.
func requirePlaced(_ diagnostics: [Diagnostic]) {
    for d in diagnostics {
        require(d.location.line >= 1 && d.location.column >= 1, "a diagnostic without a place: \(d)")
    }
}
