import ConsultEngine
import Testing

struct StubVocabulary: AnswerVocabulary {
    var yesWords: [String]
    var noWords: [String]
    var labels: [MessageKey: String] = [:]

    func label(_ key: MessageKey) -> String { labels[key] ?? key.rawValue }

    static let en = StubVocabulary(yesWords: ["yes", "y"], noWords: ["no", "n"])
    static let es = StubVocabulary(yesWords: ["sí", "si", "s"], noWords: ["no", "n"])
    static let ru = StubVocabulary(yesWords: ["да", "д"], noWords: ["нет", "н"])
}

@Suite("answer parser")
struct AnswerParserTests {
    @Test(
        "yes and no in each language",
        arguments: [
            ("en", "yes", true), ("en", "y", true), ("en", "YES", true), ("en", " Yes ", true),
            ("en", "no", false), ("en", "n", false), ("en", "No", false),
            ("es", "sí", true), ("es", "Sí", true), ("es", "si", true), ("es", "SI", true), ("es", "s", true),
            ("es", "no", false), ("es", "N", false),
            ("ru", "да", true), ("ru", "ДА", true), ("ru", "Да", true), ("ru", "д", true),
            ("ru", "нет", false), ("ru", "НЕТ", false), ("ru", "н", false),
        ])
    func yesNo(language: String, input: String, expected: Bool) {
        let vocabulary = ["en": StubVocabulary.en, "es": .es, "ru": .ru][language]!
        #expect(AnswerParser.parse(input, as: .yesNo, vocabulary: vocabulary) == .success(.bool(expected)))
    }

    @Test(
        "not yes or no",
        arguments: [
            ("en", "da"), ("en", "да"), ("ru", "yes"), ("en", "maybe"), ("en", "yess"), ("es", "sim"), ("ru", "не"),
        ])
    func notYesNo(language: String, input: String) {
        let vocabulary = ["en": StubVocabulary.en, "es": .es, "ru": .ru][language]!
        #expect(AnswerParser.parse(input, as: .yesNo, vocabulary: vocabulary) == .failure(.expectedYesNo))
    }

    @Test func emptyAnswer() {
        #expect(AnswerParser.parse("", as: .yesNo, vocabulary: StubVocabulary.en) == .failure(.empty))
        #expect(
            AnswerParser.parse("  \t ", as: .number(min: 0, max: 9), vocabulary: StubVocabulary.en) == .failure(.empty))
        #expect(
            AnswerParser.parse("", as: .date(min: nil, max: nil), vocabulary: StubVocabulary.en) == .failure(.empty))
        #expect(
            AnswerParser.parse("", as: .text(maxLength: 10, optional: false), vocabulary: StubVocabulary.en)
                == .failure(.empty))
    }

    static let permit = Choice(value: "permit", label: "c.permit")
    static let visa = Choice(value: "visa", label: "c.visa")
    static let student = Choice(value: "student", label: "c.student")
    static let choices = [permit, visa, student]
    static let vocabulary = StubVocabulary(
        yesWords: ["yes"], noWords: ["no"],
        labels: [
            "c.permit": "Work permit", "c.visa": "Work visa", "c.student": "Student",
        ])

    func choose(_ input: String) -> Result<Value, AnswerProblem> {
        AnswerParser.parse(input, as: .choice(AnswerParserTests.choices), vocabulary: AnswerParserTests.vocabulary)
    }

    @Test(
        "choices by number, label, value or an unambiguous start",
        arguments: [
            ("1", "permit"), ("2", "visa"), (" 3 ", "student"),
            ("Work permit", "permit"), ("work VISA", "visa"), ("student", "student"),
            ("stud", "student"), ("S", "student"), ("Work p", "permit"), ("work v", "visa"),
            ("permit", "permit"), ("visa", "visa"),
        ])
    func choiceAccepted(input: String, value: String) {
        #expect(choose(input) == .success(.choice(value)))
    }

    @Test func ambiguousPrefix() {
        let both = [AnswerParserTests.permit, AnswerParserTests.visa]
        #expect(choose("work") == .failure(.ambiguousChoice(both)))
        #expect(choose("W") == .failure(.ambiguousChoice(both)))
    }

    @Test("out of range or unknown choices", arguments: ["0", "4", "-1", "99", "xyz", "permits", "wor k"])
    func choiceRejected(input: String) {
        #expect(choose(input) == .failure(.expectedChoice(AnswerParserTests.choices)))
    }

    /// Found by FuzzAnswerParser (FailCases/FuzzAnswerParser/integer-of-33-digits-overflows): the
    /// digits of an ASCII answer were added up before their count was checked, and 33 of them
    /// overflowed `Int` (a trap, the session gone).
    @Test(
        "a number too long to be one is refused, not an overflow",
        arguments: [String(repeating: "3", count: 33), "-" + String(repeating: "9", count: 40), "1234567890"])
    func longDigitRunsAreRefused(input: String) {
        #expect(choose(input) == .failure(.expectedChoice(AnswerParserTests.choices)))
        if case .success(let value) = AnswerParser.parse(
            input, as: .number(min: 0, max: 100), vocabulary: StubVocabulary.en)
        {
            Issue.record("\(input) accepted as \(value)")
        }
    }

    @Test func russianLabelsIgnoreCaseAndYo() {
        let choices = [
            Choice(value: "work", label: "c.work"), Choice(value: "stay", label: "c.stay"),
            Choice(value: "none", label: "c.none"),
        ]
        let ru = StubVocabulary(
            yesWords: ["да"], noWords: ["нет"],
            labels: [
                "c.work": "Разрешение на работу", "c.stay": "Разрешение на проживание",
                "c.none": "Ничего из перечисленного",
            ])
        func choose(_ s: String) -> Result<Value, AnswerProblem> {
            AnswerParser.parse(s, as: .choice(choices), vocabulary: ru)
        }
        #expect(choose("разрешение на работу") == .success(.choice("work")))
        #expect(choose("РАЗРЕШЕНИЕ НА П") == .success(.choice("stay")))
        #expect(choose("разр") == .failure(.ambiguousChoice([choices[0], choices[1]])))
        #expect(choose("ничего") == .success(.choice("none")))
        #expect(choose("3") == .success(.choice("none")))
        // ё and е are the same letter to the applicant.
        let yo = [Choice(value: "all", label: "c.all"), Choice(value: "one", label: "c.one")]
        let labels = StubVocabulary(
            yesWords: ["да"], noWords: ["нет"], labels: ["c.all": "Всё сразу", "c.one": "Одно"])
        #expect(AnswerParser.parse("все сразу", as: .choice(yo), vocabulary: labels) == .success(.choice("all")))
        #expect(AnswerParser.parse("ВСЁ", as: .choice(yo), vocabulary: labels) == .success(.choice("all")))
    }

    @Test func yesWordsIgnoreAccents() {
        // Only "sí" is listed: "si" and "SÍ" are the same word.
        let es = StubVocabulary(yesWords: ["sí"], noWords: ["no"])
        #expect(AnswerParser.parse("si", as: .yesNo, vocabulary: es) == .success(.bool(true)))
        #expect(AnswerParser.parse("SÍ", as: .yesNo, vocabulary: es) == .success(.bool(true)))
    }

    @Test(
        "numbers in a range",
        arguments: [
            ("42", Result<Value, AnswerProblem>.success(.int(42))),
            (" 0 ", .success(.int(0))),
            ("120", .success(.int(120))),
            ("1 0", .success(.int(10))),
            ("121", .failure(.numberOutOfRange(min: 0, max: 120))),
            ("-1", .failure(.numberOutOfRange(min: 0, max: 120))),
            ("4.5", .failure(.expectedNumber(min: 0, max: 120))),
            ("forty", .failure(.expectedNumber(min: 0, max: 120))),
            ("-", .failure(.expectedNumber(min: 0, max: 120))),
            ("12a", .failure(.expectedNumber(min: 0, max: 120))),
            ("9999999999", .failure(.expectedNumber(min: 0, max: 120))),
        ])
    func numbers(input: String, expected: Result<Value, AnswerProblem>) {
        #expect(AnswerParser.parse(input, as: .number(min: 0, max: 120), vocabulary: StubVocabulary.en) == expected)
    }

    @Test func negativeRange() {
        #expect(
            AnswerParser.parse("-5", as: .number(min: -10, max: -1), vocabulary: StubVocabulary.en)
                == .success(.int(-5)))
        #expect(
            AnswerParser.parse("0", as: .number(min: -10, max: -1), vocabulary: StubVocabulary.en)
                == .failure(.numberOutOfRange(min: -10, max: -1)))
    }

    @Test(
        "dates with bounds",
        arguments: [
            ("2027-06-15", Result<Value, AnswerProblem>.success(.date(date("2027-06-15")))),
            ("15.06.2027", .success(.date(date("2027-06-15")))),
            ("1.1.2027", .success(.date(date("2027-01-01")))),
            ("2027-12-31", .success(.date(date("2027-12-31")))),
            ("2026-12-31", .failure(.dateTooEarly(min: date("2027-01-01")))),
            ("01.01.2028", .failure(.dateTooLate(max: date("2027-12-31")))),
            ("31.02.2027", .failure(.expectedDate)),
            ("next week", .failure(.expectedDate)),
            // Slashes: taken when only one reading is a date, or both are the same day.
            ("31/12/2027", .success(.date(date("2027-12-31")))),
            ("15/6/2027", .success(.date(date("2027-06-15")))),
            ("05/05/2027", .success(.date(date("2027-05-05")))),
            ("03/04/2027", .failure(.ambiguousDate(dayFirst: date("2027-04-03"), monthFirst: date("2027-03-04")))),
            ("12/31/2027", .success(.date(date("2027-12-31")))),
            ("13/13/2027", .failure(.expectedDate)),
            ("03.04.2027", .success(.date(date("2027-04-03")))),
        ])
    func dates(input: String, expected: Result<Value, AnswerProblem>) {
        let expectation = Expected.date(min: date("2027-01-01"), max: date("2027-12-31"))
        #expect(AnswerParser.parse(input, as: expectation, vocabulary: StubVocabulary.en) == expected)
    }

    @Test func datesWithoutBounds() {
        #expect(
            AnswerParser.parse("29.02.2028", as: .date(min: nil, max: nil), vocabulary: StubVocabulary.en)
                == .success(.date(date("2028-02-29"))))
        #expect(
            AnswerParser.parse(
                "1900-01-01", as: .date(min: nil, max: date("2027-01-01")), vocabulary: StubVocabulary.en)
                == .success(.date(date("1900-01-01"))))
    }

    @Test func text() {
        let five = Expected.text(maxLength: 5, optional: false)
        #expect(AnswerParser.parse("hello", as: five, vocabulary: StubVocabulary.en) == .success(.text("hello")))
        #expect(AnswerParser.parse("  hi  ", as: five, vocabulary: StubVocabulary.en) == .success(.text("hi")))
        #expect(
            AnswerParser.parse("hello!", as: five, vocabulary: StubVocabulary.en)
                == .failure(.textTooLong(maxLength: 5)))
        // Length is counted in characters, not bytes: five Cyrillic letters fit, six do not.
        #expect(AnswerParser.parse("приве", as: five, vocabulary: StubVocabulary.en) == .success(.text("приве")))
        #expect(
            AnswerParser.parse("привет", as: five, vocabulary: StubVocabulary.en)
                == .failure(.textTooLong(maxLength: 5)))
    }

    @Test func optionalText() {
        let optional = Expected.text(maxLength: 5, optional: true)
        #expect(AnswerParser.parse("", as: optional, vocabulary: StubVocabulary.en) == .success(.text("")))
        #expect(AnswerParser.parse("   ", as: optional, vocabulary: StubVocabulary.en) == .success(.text("")))
        #expect(AnswerParser.parse("abc", as: optional, vocabulary: StubVocabulary.en) == .success(.text("abc")))
        #expect(
            AnswerParser.parse("abcdef", as: optional, vocabulary: StubVocabulary.en)
                == .failure(.textTooLong(maxLength: 5)))
    }
}
