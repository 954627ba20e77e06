import ConsultEngine
import ConsultLocalization

/// Input: language, argument seed, then the text of one message as written in `locales/*.yaml`.
///
/// A syntax error must point inside the text. A parsed message is written in that language (its
/// plural rules and formatting), with each placeholder filled by an argument of a kind chosen from
/// the seed and the name: numbers (negative, huge and Int.min among them), dates, text, choices,
/// lists or nothing. The message can include itself (`{@fuzz}`) and the shipped messages.
enum MessageFormatFuzzing {
    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let language = Shipped.languages[Int(input.byte()) % Shipped.languages.count]
        let seed = Int(input.byte())
        let text = input.rest
        let length = text.unicodeScalars.count
        let message: MessageFormat
        do {
            message = try MessageFormat.parse(text)
        } catch {
            require(
                (0...length).contains(error.offset),
                "message error at \(error.offset), outside 0...\(length): \(error.message)")
            return
        }
        _ = message.placeholders
        _ = message.plurals
        _ = message.includes
        guard let shipped = Shipped.content.localizer.catalogs[language] else { return }
        var messages = shipped.messages
        messages["fuzz"] = message
        let catalog = Catalog(
            language: language, name: shipped.name, formattingLocale: shipped.formattingLocale,
            plurals: shipped.plurals, yesWords: shipped.yesWords, noWords: shipped.noWords,
            list: shipped.list, messages: messages)
        let localizer = Localizer(catalogs: [catalog], fallback: language)
        _ = localizer.text("fuzz", language: language, argument(seed: seed))
    }

    static let numbers = [0, 1, 2, 3, 4, 5, 11, 12, 21, 22, 25, 101, 111, 1_000_000, -1, -21, Int.max, Int.min]
    static let dates = [
        LocalDate(year: 1, month: 1, day: 1)!, LocalDate(year: 2027, month: 3, day: 31)!,
        LocalDate(year: 9999, month: 12, day: 31)!, LocalDate(year: 2024, month: 2, day: 29)!,
    ]

    /// Arguments by placeholder name, the same for the same name and seed (never `Hasher`, which
    /// differs from run to run: a fuzzer needs the same input to do the same thing).
    static func argument(seed: Int) -> (String) -> Argument? {
        { name in
            let h = name.unicodeScalars.reduce(seed) { ($0 &* 31 &+ Int($1.value)) & 0xFFFF }
            switch h % 7 {
            case 0: return nil
            case 1: return .number(numbers[h / 7 % numbers.count])
            case 2: return .date(dates[h / 7 % dates.count])
            case 3: return .text(name)
            case 4: return .choice(value: ["one", "other", "yes", "=1", name][h / 7 % 5], text: name)
            case 5: return .list(Array(repeating: name, count: h / 7 % 4))
            default: return .number(h - 300)
            }
        }
    }
}
