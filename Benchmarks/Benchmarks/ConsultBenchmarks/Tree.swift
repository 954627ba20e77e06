import ConsultContent
import ConsultEngine
import ConsultLocalization
import Foundation

/// A generated dialog of `steps` steps (questions of every kind, computed facts reading earlier
/// answers, forward gotos and outcomes) with the three locales that go with it: the tree the
/// figures for load, lint and one engine step are taken on. Step `i` is of kind `i % 5`:
/// 0 a yes/no question (asked when `not f(i-5) or true`), 1 a number 0...120, 2 `f(i) = f(i-1) + 30`
/// when `f(i-2)`, 3 a goto over the next step when `f(i-1) > 100`, 4 an outcome when
/// `f(i-2) >= 60 and f(i-4)`. ``HandRules`` is the same tree written by hand.
enum Tree {
    static func generate(steps: Int, into dir: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("dialogs"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("locales"), withIntermediateDirectories: true)
        var dialog = "dialog: big\nstart: true\nnodes:\n"
        var facts: [String] = []
        var outcomes: [String] = []
        for i in 0..<steps {
            switch i % 5 {
            case 0:
                dialog += "  - ask: f\(i)\n    type: yesno\n    prompt: q.yesno\n"
                if i >= 5 { dialog += "    when: not f\(i - 5) or true\n" }
                facts.append("f\(i)")
            case 1:
                dialog += "  - ask: f\(i)\n    type: number\n    min: 0\n    max: 120\n    prompt: q.number\n"
                facts.append("f\(i)")
            case 2:
                dialog += "  - let: f\(i)\n    value: f\(i - 1) + 30\n    when: f\(i - 2)\n"
                facts.append("f\(i)")
            case 3:
                dialog += "  - goto: s\(i + 2)\n    when: f\(i - 1) > 100\n"
            default:
                dialog += "  - outcome: o\(i)\n    id: s\(i + 1)\n    explain: o.text\n    when: f\(i - 2) >= 60 and f\(i - 4)\n"
                outcomes.append("o\(i)")
            }
        }
        try dialog.write(to: dir.appendingPathComponent("dialogs/big.yaml"), atomically: true, encoding: .utf8)

        let system = SystemMessages.keys.map { key, args in "  \(key.rawValue): \"x \(args.map { "{\($0)}" }.joined(separator: " "))\"" }
        var english = ""
        for language in ["en", "es", "ru"] {
            let plural = language == "ru"
                ? "  one: \"i % 10 = 1 and i % 100 != 11\"\n  few: \"i % 10 = 2..4 and i % 100 != 12..14\"\n  many: \"i % 10 = 0 or i % 10 = 5..9 or i % 100 = 11..14\""
                : "  one: \"i = 1 and v = 0\""
            var text = """
                language: \(language)
                name: \(language)
                formatting_locale: \(language)
                plural_rules:
                \(plural)
                words:
                  yes: [y]
                  no: [n]
                commands: {help: [help], back: [back], change: [change], summary: [summary], why: [why], language: [language], restart: [restart], pause: [pause], quit: [quit]}
                list:
                  pair: "{0} & {1}"
                  middle: "{0}, {1}"
                  last: "{0} & {1}"
                messages:
                  q.yesno: "Yes or no?"
                  q.number: "How many?"
                  o.text: "Outcome."

                """
            text += system.joined(separator: "\n") + "\n"
            text += facts.map { "  fact.\($0): \"Fact \($0)\"" }.joined(separator: "\n") + "\n"
            text += outcomes.map { "  outcome.\($0).title: \"Outcome \($0)\"" }.joined(separator: "\n") + "\n"
            if language == "en" { english = text } else { text += translatedFrom(text, english: english) }
            try text.write(to: dir.appendingPathComponent("locales/\(language).yaml"), atomically: true, encoding: .utf8)
        }
    }

    /// The `translated_from` section that marks every translation current.
    static func translatedFrom(_ translation: String, english englishText: String) -> String {
        var ignored: [Diagnostic] = []
        guard let englishFile = YAMLFile.parse(englishText, displayPath: "en.yaml", into: &ignored),
              let english = CatalogLoader.load(englishFile, expectedLanguage: nil, typography: false, into: &ignored),
              let file = YAMLFile.parse(translation, displayPath: "xx.yaml", into: &ignored),
              let catalog = CatalogLoader.load(file, expectedLanguage: nil, typography: false, into: &ignored)
        else { return "" }
        let records = catalog.locations.keys.sorted().compactMap { key in
            english.texts[key].map { TranslationSource.line(key, english: $0) }
        }
        return (["translated_from:"] + records).joined(separator: "\n") + "\n"
    }
}

/// The generated tree's rules written by hand, as a programmer would: the answers in arrays, the
/// position kept, each answer evaluated once and the walk resumed where it stopped.
struct HandRules {
    enum Asked: Equatable { case yesNo(Int), number(Int), finished }

    let steps: Int
    private var yes: [Bool]
    private var number: [Int]
    private var computed: [Int?]
    private(set) var outcomes: [Int] = []
    private var position = 0

    init(steps: Int) {
        self.steps = steps
        yes = Array(repeating: false, count: steps)
        number = Array(repeating: 0, count: steps)
        computed = Array(repeating: nil, count: steps)
    }

    /// The question asked now.
    var asked: Asked {
        guard position < steps else { return .finished }
        return position % 5 == 0 ? .yesNo(position) : .number(position)
    }

    /// The applicant answered the current question with `input` ("y", "n" or a number).
    mutating func answered(_ input: String) -> Bool {
        switch asked {
        case .yesNo(let i):
            guard input == "y" || input == "n" else { return false }
            yes[i] = input == "y"
        case .number(let i):
            guard let n = Int(input), (0...120).contains(n) else { return false }
            number[i] = n
        case .finished:
            return false
        }
        position += 1
        advance()
        return true
    }

    /// Walks on over the steps that ask nothing, to the next question.
    private mutating func advance() {
        while position < steps {
            let i = position
            switch i % 5 {
            case 0, 1:
                return
            case 2:
                if yes[i - 2] { computed[i] = number[i - 1] + 30 }
                position += 1
            case 3:
                // `goto: s(i+2)` names step i+1 (the outcome that follows): the way goes on there either way.
                position += 1
            default:
                if let value = computed[i - 2], value >= 60, yes[i - 4] { outcomes.append(i) }
                position += 1
            }
        }
    }
}
