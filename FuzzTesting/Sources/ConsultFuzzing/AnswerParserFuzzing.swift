import ConsultEngine
import ConsultLocalization

/// Input: kind, language, four parameter bytes, then what the applicant typed.
///
/// kind % 5: 0 yes/no; 1 choice (a shipped question's choices, or any 0-7 shipped choices);
/// 2 number (min and max as signed 16-bit numbers, in either order); 3 date (optional bounds around
/// 2027-03-31); 4 text (maximum length, optional, format).
enum AnswerParserFuzzing {
    static let today = LocalDate(year: 2027, month: 3, day: 31)!

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let kind = input.byte() % 5
        let language = Shipped.languages[Int(input.byte()) % Shipped.languages.count]
        let p = [input.byte(), input.byte(), input.byte(), input.byte()]
        let expected: Expected
        switch kind {
        case 0:
            expected = .yesNo
        case 1:
            if p[1] & 1 == 0, !Shipped.choiceLists.isEmpty {
                expected = .choice(Shipped.choiceLists[Int(p[0]) % Shipped.choiceLists.count])
            } else {
                let pool = Shipped.allChoices
                let count = Int(p[1] >> 1) % 8
                expected = .choice((0..<count).map { pool[(Int(p[0]) + $0 * Int(p[2] | 1)) % pool.count] })
            }
        case 2:
            expected = .number(
                min: Int(Int16(bitPattern: UInt16(p[0]) << 8 | UInt16(p[1]))),
                max: Int(Int16(bitPattern: UInt16(p[2]) << 8 | UInt16(p[3]))))
        case 3:
            let min = p[0] & 1 == 1 ? today.adding(days: Int(Int8(bitPattern: p[1])) * 97) : nil
            let max = p[2] & 1 == 1 ? today.adding(days: Int(Int8(bitPattern: p[3])) * 97) : nil
            expected = .date(min: min, max: max)
        default:
            let formats: [TextFormat?] = [nil] + TextFormat.allCases.map { $0 }
            expected = .text(maxLength: Int(p[0]), optional: p[1] & 1 == 1, format: formats[Int(p[2]) % formats.count])
        }
        let typed = input.rest
        let vocabulary = Shipped.content.localizer.vocabulary(language)
        let result = AnswerParser.parse(typed, as: expected, vocabulary: vocabulary)
        guard case .success(let value) = result else { return }
        switch (expected, value) {
        case (.yesNo, .bool):
            break
        case (.choice(let choices), .choice(let chosen)):
            require(choices.contains { $0.value == chosen }, "chose '\(chosen)', not one of the choices")
        case (.number(let min, let max), .int(let n)):
            require(min <= n && n <= max, "accepted \(n) outside \(min)...\(max)")
        case (.date(let min, let max), .date(let d)):
            require(min.map { $0 <= d } ?? true, "accepted \(d) before \(String(describing: min))")
            require(max.map { d <= $0 } ?? true, "accepted \(d) after \(String(describing: max))")
            // The date is written to transcripts and facts files as YYYY-MM-DD and read back.
            require(LocalDate(parsing: d.description) == d, "\(d) does not read back")
            require(LocalDate(daysSinceEpoch: d.daysSinceEpoch) == d, "\(d) does not survive day arithmetic")
        case (.text(let maxLength, let optional, _), .text(let text)):
            require(
                text.count <= maxLength || (optional && text.isEmpty),
                "accepted \(text.count) characters, limit \(maxLength)")
        default:
            require(false, "an answer of the wrong kind: \(value) for \(expected)")
        }
    }
}
