import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
import Testing

// MARK: - Catalogs built in code

/// The rules of `locales/*.yaml`, as CLDR writes them.
enum Rules {
    static let russian: [(category: String, condition: String)] = [
        ("one", "i % 10 = 1 and i % 100 != 11"),
        ("few", "i % 10 = 2..4 and i % 100 != 12..14"),
        ("many", "i % 10 = 0 or i % 10 = 5..9 or i % 100 = 11..14"),
    ]
    static let english: [(category: String, condition: String)] = [("one", "i = 1 and v = 0")]
    static let spanish: [(category: String, condition: String)] = [("one", "n = 1")]
}

func makeCatalog(_ language: String, _ messages: [String: String]) throws -> Catalog {
    let setup:
        (
            formatting: String, rules: [(category: String, condition: String)], yes: [String], no: [String],
            list: ListPatterns
        )
    switch language {
    case "ru":
        setup = (
            "ru_RU", Rules.russian, ["да", "д"], ["нет", "н"],
            ListPatterns(pair: "{0} и {1}", middle: "{0}, {1}", last: "{0} и {1}")
        )
    case "es":
        setup = (
            "es_ES", Rules.spanish, ["sí", "si", "s"], ["no", "n"],
            ListPatterns(pair: "{0} y {1}", middle: "{0}, {1}", last: "{0} y {1}")
        )
    default:
        setup = (
            "en_GB", Rules.english, ["yes", "y"], ["no", "n"],
            ListPatterns(pair: "{0} and {1}", middle: "{0}, {1}", last: "{0} and {1}")
        )
    }
    var parsed: [MessageKey: MessageFormat] = [:]
    for (key, text) in messages {
        parsed[MessageKey(key)] = try MessageFormat.parse(text)
    }
    return Catalog(
        language: language, name: language, formattingLocale: setup.formatting,
        plurals: try PluralRules(setup.rules), yesWords: setup.yes, noWords: setup.no,
        list: setup.list, messages: parsed)
}

// MARK: - Plural rules

@Suite("plural rules")
struct PluralRuleTests {
    @Test(
        "Russian: one / few / many as CLDR says",
        arguments: [
            (0, "many"), (1, "one"), (2, "few"), (4, "few"), (5, "many"), (11, "many"), (12, "many"),
            (14, "many"), (15, "many"), (21, "one"), (22, "few"), (25, "many"), (101, "one"), (111, "many"),
        ])
    func russian(number: Int, category: String) throws {
        let rules = try PluralRules(Rules.russian)
        #expect(rules.category(for: number) == category)
    }

    @Test func russianCategories() throws {
        #expect(try PluralRules(Rules.russian).categories == ["one", "few", "many", "other"])
    }

    @Test("English and Spanish: one for 1, other for the rest", arguments: [0, 1, 2, 5, 11, 21, 101])
    func englishAndSpanish(number: Int) throws {
        let expected = number == 1 ? "one" : "other"
        #expect(try PluralRules(Rules.english).category(for: number) == expected)
        #expect(try PluralRules(Rules.spanish).category(for: number) == expected)
        #expect(try PluralRules(Rules.english).categories == ["one", "other"])
    }

    @Test func negativeNumbersUseTheirMagnitude() throws {
        let rules = try PluralRules(Rules.russian)
        #expect(rules.category(for: -1) == "one")
        #expect(rules.category(for: -22) == "few")
    }

    @Test func theSmallestIntHasACategory() throws {
        // abs(Int.min) trapped (found by fuzzing); its magnitude ends in ...808.
        #expect(try PluralRules(Rules.russian).category(for: Int.min) == "many")
        #expect(try PluralRules(Rules.english).category(for: Int.min) == "other")
        #expect(try PluralRules(Rules.russian).category(for: Int.max) == "many")
    }

    @Test func badRulesAreErrors() {
        #expect(throws: PluralRuleError.self) { try PluralRules([("several", "i = 1")]) }
        #expect(throws: PluralRuleError.self) { try PluralRules([("one", "i ~ 1")]) }
        #expect(throws: PluralRuleError.self) { try PluralRules([("one", "x = 1")]) }
        #expect(throws: PluralRuleError.self) { try PluralRules([("few", "i % 10 = 4..2")]) }
    }

    @Test func cldrSampleListsAreIgnored() throws {
        let rules = try PluralRules([("one", "i = 1 and v = 0 @integer 1")])
        #expect(rules.category(for: 1) == "one")
        #expect(rules.category(for: 2) == "other")
    }
}

// MARK: - Message format

@Suite("message format")
struct MessageFormatTests {
    typealias Part = MessageFormat.Part

    @Test func nestingIsBounded() throws {
        // Thousands of nested plurals overflowed the stack (found by fuzzing).
        func nested(_ n: Int) -> String {
            String(repeating: "{n, plural, other {", count: n) + "#" + String(repeating: "}}", count: n)
        }
        #expect((try? MessageFormat.parse(nested(MessageFormat.maxDepth))) != nil)
        #expect(
            throws: MessageFormatError(
                "placeholders are nested too deeply (more than \(MessageFormat.maxDepth) levels)",
                at: 19 * MessageFormat.maxDepth)
        ) {  // the opening brace of the 33rd level
            try MessageFormat.parse(nested(MessageFormat.maxDepth + 1))
        }
        #expect(throws: MessageFormatError.self) {
            try MessageFormat.parse(String(repeating: "{a,select,x{", count: 100_000))
        }
    }

    @Test func textAndPlaceholders() throws {
        let m = try MessageFormat.parse("Until {permit_until}, {name}.")
        #expect(
            m.parts == [.text("Until "), .placeholder("permit_until"), .text(", "), .placeholder("name"), .text(".")])
        #expect(m.placeholders == ["permit_until", "name"])
    }

    @Test func plural() throws {
        let m = try MessageFormat.parse("Осталось {n, plural, one {# день} few {# дня} many {# дней} other {# дня}}.")
        #expect(
            m.parts == [
                .text("Осталось "),
                .plural(
                    "n",
                    [
                        "one": [.number, .text(" день")],
                        "few": [.number, .text(" дня")],
                        "many": [.number, .text(" дней")],
                        "other": [.number, .text(" дня")],
                    ]),
                .text("."),
            ])
        #expect(m.placeholders == ["n"])
        #expect(m.plurals.count == 1)
        #expect(m.plurals.first?.name == "n")
        #expect(m.plurals.first?.categories == ["one", "few", "many", "other"])
    }

    @Test func exactValueBranch() throws {
        let m = try MessageFormat.parse("{n, plural, =0 {none} one {# item} other {# items}}")
        #expect(
            m.parts == [
                .plural(
                    "n",
                    ["=0": [.text("none")], "one": [.number, .text(" item")], "other": [.number, .text(" items")]])
            ])
    }

    @Test func selectWithNestedPlaceholder() throws {
        let m = try MessageFormat.parse("{relation, select, spouse {spouse of {name}} other {relative}}")
        #expect(
            m.parts == [
                .select(
                    "relation", ["spouse": [.text("spouse of "), .placeholder("name")], "other": [.text("relative")]])
            ])
        #expect(m.placeholders == ["relation", "name"])
        #expect(m.plurals.isEmpty)
    }

    @Test func hashIsLiteralOutsidePlurals() throws {
        let m = try MessageFormat.parse("Room #4 {n, select, other {#}}")
        #expect(m.parts == [.text("Room #4 "), .select("n", ["other": [.text("#")]])])
    }

    @Test func include() throws {
        let m = try MessageFormat.parse("Call {@office.phone}.")
        #expect(m.parts == [.text("Call "), .include("office.phone"), .text(".")])
        #expect(m.includes == ["office.phone"])
        #expect(m.placeholders.isEmpty)
    }

    @Test(
        "apostrophes quote braces and themselves",
        arguments: [
            ("'{'", "{"),
            ("'}'", "}"),
            ("''", "'"),
            ("it's", "it's"),
            ("it''s", "it's"),
            ("'{name}'", "{name}"),
            ("a '{b}' c", "a {b} c"),
        ])
    func apostrophes(source: String, text: String) throws {
        let m = try MessageFormat.parse(source)
        #expect(m.parts == [.text(text)])
        #expect(m.placeholders.isEmpty)
    }

    @Test(
        "errors with their offsets",
        arguments: [
            ("Hello {name", 11, "expected '}'"),
            ("Hello {}", 6, "expected a placeholder name"),
            ("a}", 1, "unmatched '}'"),
            ("{n, plural, one {x}", 0, "is not closed with '}'"),
            ("{n, plural, other {x", 20, "a branch is not closed"),
            ("Hi {n, plural, one {# day}}", 3, "needs an 'other' branch"),
            ("{r, select, a {x}}", 0, "needs an 'other' branch"),
            ("{n, number}", 4, "unknown placeholder kind 'number'"),
            ("{n, plural one {x}}", 11, "expected ',' after 'plural'"),
            ("{n, plural, one {x} one {y} other {z}}", 20, "the branch 'one' is written twice"),
            ("{n, plural, {x}}", 12, "expected a branch name"),
        ])
    func errors(source: String, offset: Int, message: String) {
        #expect {
            try MessageFormat.parse(source)
        } throws: { error in
            guard let e = error as? MessageFormatError else { return false }
            return e.offset == offset && e.message.contains(message)
        }
    }

    @Test func errorOffsetsCountUnicodeScalars() {
        // "День " is 5 scalars (10 UTF-8 bytes); the '}' stands at scalar 5.
        #expect(throws: MessageFormatError("unmatched '}'", at: 5)) { try MessageFormat.parse("День }") }
    }
}

// MARK: - Localizer

@Suite("localizer")
struct LocalizerTests {
    @Test func russianPluralDays() throws {
        let ru = try makeCatalog("ru", ["days": "{n, plural, one {# день} few {# дня} many {# дней} other {# дня}}"])
        let localizer = Localizer(catalogs: [ru])
        let texts = [1, 2, 5, 21].map { n in localizer.text("days", language: "ru") { $0 == "n" ? .number(n) : nil } }
        #expect(texts.joined(separator: ", ") == "1 день, 2 дня, 5 дней, 21 день")
        // Teens are "many", 22 is "few", 111 is "many".
        #expect(localizer.text("days", language: "ru") { _ in .number(11) } == "11 дней")
        #expect(localizer.text("days", language: "ru") { _ in .number(22) } == "22 дня")
        #expect(localizer.text("days", language: "ru") { _ in .number(111) } == "111 дней")
    }

    @Test func pluralNumberIsFormattedInTheLanguage() throws {
        let ru = try makeCatalog("ru", ["days": "{n, plural, one {# день} few {# дня} many {# дней} other {# дня}}"])
        let text = Localizer(catalogs: [ru]).text("days", language: "ru") { _ in .number(1234) }
        #expect(plainSpaces(text) == "1 234 дня")
    }

    @Test func exactBranchWinsOverCategory() throws {
        let en = try makeCatalog("en", ["items": "{n, plural, =0 {nothing} one {# item} other {# items}}"])
        let localizer = Localizer(catalogs: [en])
        #expect(localizer.text("items", language: "en") { _ in .number(0) } == "nothing")
        #expect(localizer.text("items", language: "en") { _ in .number(1) } == "1 item")
        #expect(localizer.text("items", language: "en") { _ in .number(7) } == "7 items")
    }

    @Test func selectOnChoiceValue() throws {
        let en = try makeCatalog("en", ["who": "{relation, select, spouse {your spouse} other {{relation}}}"])
        let localizer = Localizer(catalogs: [en])
        #expect(
            localizer.text("who", language: "en") { _ in .choice(value: "spouse", text: "Spouse") } == "your spouse")
        #expect(localizer.text("who", language: "en") { _ in .choice(value: "child", text: "Child") } == "Child")
    }

    @Test func includeInsertsAnotherMessageInTheSameLanguage() throws {
        let es = try makeCatalog("es", ["office.phone": "+34 600", "call": "Llame al {@office.phone}."])
        let en = try makeCatalog("en", ["office.phone": "+34 600 (en)", "call": "Call {@office.phone}."])
        #expect(Localizer(catalogs: [en, es]).text("call", language: "es") == "Llame al +34 600.")
    }

    @Test func includeThatLoopsStops() throws {
        let en = try makeCatalog("en", ["a": "A{@b}", "b": "B{@a}"])
        let text = Localizer(catalogs: [en]).text("a", language: "en")
        #expect(text.hasPrefix("ABABABAB"))
        #expect(text.hasSuffix("…"))
    }

    @Test(
        "dates in the long form of each language",
        arguments: [
            // Raw Foundation output for ru has a no-break space (U+00A0 or U+202F) before "г.".
            ("ru", "31 марта 2028 г."),
            ("es", "31 de marzo de 2028"),
            ("en", "31 March 2028"),
        ])
    func dates(language: String, expected: String) throws {
        let catalog = try makeCatalog(language, ["d": "{d}"])
        let date = try #require(LocalDate(year: 2028, month: 3, day: 31))
        #expect(plainSpaces(catalog.formatDate(date)) == expected)
        #expect(
            plainSpaces(Localizer(catalogs: [catalog]).text("d", language: language) { _ in .date(date) }) == expected)
    }

    @Test func russianDateHasANoBreakSpaceBeforeTheYearMark() throws {
        let ru = try makeCatalog("ru", [:])
        let raw = ru.formatDate(try #require(LocalDate(year: 2028, month: 3, day: 31)))
        #expect(raw.unicodeScalars.contains { $0 == "\u{00A0}" || $0 == "\u{202F}" })
        #expect(raw.hasSuffix("г."))
    }

    @Test func datesAreNotShiftedByTimeZones() throws {
        // A date at a year end must not turn into the day before or after.
        let en = try makeCatalog("en", [:])
        #expect(en.formatDate(try #require(LocalDate(year: 2027, month: 12, day: 31))) == "31 December 2027")
        #expect(en.formatDate(try #require(LocalDate(year: 2028, month: 1, day: 1))) == "1 January 2028")
    }

    @Test func numbers() throws {
        // Raw: "1 234" with a no-break space (U+00A0 or U+202F).
        #expect(plainSpaces(try makeCatalog("ru", [:]).formatNumber(1234)) == "1 234")
        #expect(try makeCatalog("en", [:]).formatNumber(1234) == "1,234")
        #expect(try makeCatalog("ru", [:]).formatNumber(999) == "999")
        #expect(plainSpaces(try makeCatalog("ru", [:]).formatNumber(-1_234_567)) == "-1 234 567")
    }

    @Test func fallsBackToEnglishWhenAKeyIsMissing() throws {
        let en = try makeCatalog("en", ["greeting": "Hello, {name}.", "only.en": "English only"])
        let es = try makeCatalog("es", ["greeting": "Hola, {name}."])
        let localizer = Localizer(catalogs: [en, es])
        #expect(localizer.text("greeting", language: "es") { _ in .text("Ana") } == "Hola, Ana.")
        #expect(localizer.text("only.en", language: "es") == "English only")
        #expect(localizer.has("only.en", in: "en"))
        #expect(!localizer.has("only.en", in: "es"))
        // An unknown language reads English.
        #expect(localizer.text("greeting", language: "de") { _ in .text("Ana") } == "Hello, Ana.")
    }

    @Test func aKeyMissingEverywhereIsNeverShownRaw() throws {
        let en = try makeCatalog("en", ["a": "A"])
        let es = try makeCatalog("es", ["a": "A"])
        let text = Localizer(catalogs: [en, es]).text("no.such.key", language: "es")
        #expect(text == "…")
        #expect(!text.contains("no.such.key"))
    }

    @Test func aPlaceholderWithoutValueIsADash() throws {
        let en = try makeCatalog("en", ["m": "Until {date}."])
        #expect(Localizer(catalogs: [en]).text("m", language: "en") == "Until —.")
    }

    @Test(
        "lists are joined as the language joins them",
        arguments: [
            ([String](), ""),
            (["a"], "a"),
            (["a", "b"], "a и b"),
            (["a", "b", "c"], "a, b и c"),
            (["a", "b", "c", "d"], "a, b, c и d"),
        ])
    func listJoining(items: [String], expected: String) throws {
        #expect(try makeCatalog("ru", [:]).join(items) == expected)
    }

    @Test func listArgumentIsJoined() throws {
        let ru = try makeCatalog("ru", ["family": "Семья: {family}."])
        let text = Localizer(catalogs: [ru]).text("family", language: "ru") { _ in .list(["супруга", "сын", "дочь"]) }
        #expect(text == "Семья: супруга, сын и дочь.")
    }

    @Test func vocabularyUsesTheLanguage() throws {
        let en = try makeCatalog("en", ["c.yes": "Yes"])
        let ru = try makeCatalog("ru", ["c.yes": "Да"])
        let vocabulary = Localizer(catalogs: [en, ru]).vocabulary("ru")
        #expect(vocabulary.yesWords == ["да", "д"])
        #expect(vocabulary.noWords == ["нет", "н"])
        #expect(vocabulary.label("c.yes") == "Да")
    }
}
