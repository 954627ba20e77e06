import ConsultEngine
import Testing

@Suite("evaluator")
struct EvaluatorTests {
    static let family: [Record] = [
        Record(["relation": .choice("spouse"), "age": .int(40)]),
        Record(["relation": .choice("child"), "age": .int(10)]),
        Record(["relation": .choice("child"), "age": .int(19)]),
    ]

    /// yes = true, no = false, pending = unknown; `missing` is absent.
    static var env: Environment {
        var env = Environment(today: date("2027-03-15"))
        env.set("yes", .value(.bool(true)))
        env.set("no", .value(.bool(false)))
        env.set("pending", .unknown)
        env.set("permit", .value(.choice("issued")))
        env.set("start", .value(.date(date("2027-01-31"))))
        env.set("n", .value(.int(5)))
        env.set("family", .value(.list(family)))
        env.set("later_list", .unknown)
        return env
    }

    func eval(_ source: String) throws -> Evaluation {
        Evaluator.evaluate(try parse(source), in: EvaluatorTests.env)
    }

    @Test(
        "three-valued logic",
        arguments: [
            ("yes and pending", Evaluation.unknown),
            ("pending and yes", .unknown),
            ("no and pending", .value(.bool(false))),
            ("pending and no", .value(.bool(false))),
            ("yes or pending", .value(.bool(true))),
            ("pending or yes", .value(.bool(true))),
            ("no or pending", .unknown),
            ("not pending", .unknown),
            ("pending == 3", .unknown),
            ("n < pending", .unknown),
            (#"pending in ["a"]"#, .unknown),
            ("n in [1, pending]", .unknown),
            ("n in [5, pending]", .value(.bool(true))),
            ("pending + 1", .unknown),
            ("days_between(start, pending)", .unknown),
            ("count(later_list)", .unknown),
            ("yes and not no", .value(.bool(true))),
            ("false and pending", .value(.bool(false))),
            ("true or pending", .value(.bool(true))),
        ])
    func threeValued(source: String, expected: Evaluation) throws {
        #expect(try eval(source) == expected)
    }

    @Test(
        "absent facts count as no and equal nothing",
        arguments: [
            ("missing", Evaluation.absent),
            ("missing and yes", .value(.bool(false))),
            ("missing or yes", .value(.bool(true))),
            ("missing or no", .value(.bool(false))),
            ("not missing", .value(.bool(true))),
            (#"missing == "issued""#, .value(.bool(false))),
            (#"missing != "issued""#, .value(.bool(true))),
            (#"missing in ["issued"]"#, .value(.bool(false))),
            (#"missing not in ["issued"]"#, .value(.bool(true))),
            ("missing < 3", .value(.bool(false))),
            ("missing + 30", .absent),
            ("days_between(missing, today)", .absent),
            ("count(missing)", .value(.int(0))),
            ("missing and pending", .value(.bool(false))),
            ("pending and missing", .value(.bool(false))),
        ])
    func absent(source: String, expected: Evaluation) throws {
        #expect(try eval(source) == expected)
    }

    @Test(
        "values",
        arguments: [
            (#"permit == "issued""#, Evaluation.value(.bool(true))),
            (#""issued" == permit"#, .value(.bool(true))),
            (#"permit != "none""#, .value(.bool(true))),
            (#"permit in ["applied", "issued"]"#, .value(.bool(true))),
            (#"permit not in ["applied", "issued"]"#, .value(.bool(false))),
            ("n + 2 - 10", .value(.int(-3))),
            ("-n", .value(.int(-5))),
            ("n >= 5 and n <= 5 and n > 4 and n < 6", .value(.bool(true))),
            ("start + 30", .value(.date(date("2027-03-02")))),
            ("30 + start", .value(.date(date("2027-03-02")))),
            ("start - 31", .value(.date(date("2026-12-31")))),
            ("today - start", .value(.int(43))),
            ("days_between(start, today)", .value(.int(43))),
            ("days_between(today, start)", .value(.int(-43))),
            (#"days_between(date("2027-12-31"), date("2028-03-01"))"#, .value(.int(61))),
            (#"date("2028-02-29") + 365"#, .value(.date(date("2029-02-28")))),
            // Calendar periods (Civil Code): the same day, or the last day of a shorter month.
            (#"add_years(date("2028-02-29"), 1)"#, .value(.date(date("2029-02-28")))),
            (#"add_years(date("2028-02-29"), 4)"#, .value(.date(date("2032-02-29")))),
            (#"add_years(date("2023-12-20"), 1)"#, .value(.date(date("2024-12-20")))),
            (#"add_months(date("2027-01-31"), 1)"#, .value(.date(date("2027-02-28")))),
            (#"add_months(date("2028-01-31"), 1)"#, .value(.date(date("2028-02-29")))),
            (#"add_months(date("2027-03-31"), -1)"#, .value(.date(date("2027-02-28")))),
            (#"add_months(date("2026-12-20"), -4)"#, .value(.date(date("2026-08-20")))),
            (#"add_months(date("2026-11-30"), 14)"#, .value(.date(date("2028-01-30")))),
            (#"add_months(add_years(date("2024-02-29"), 3), -4)"#, .value(.date(date("2026-10-28")))),
            (#"add_years(date("2027-01-01"), 9000)"#, .absent),
            (#"add_months(date("2027-01-01"), 9223372036854775807)"#, .absent),
            ("add_months(start, pending)", .unknown),
            ("start < today", .value(.bool(true))),
            (#"today >= date("2027-03-15")"#, .value(.bool(true))),
        ])
    func values(source: String, expected: Evaluation) throws {
        #expect(try eval(source) == expected)
    }

    @Test(
        "list functions over records",
        arguments: [
            ("count(family)", Evaluation.value(.int(3))),
            ("count(family, age < 18)", .value(.int(1))),
            (#"count(family, relation == "child")"#, .value(.int(2))),
            (#"any(family, relation == "spouse")"#, .value(.bool(true))),
            (#"any(family, relation == "parent")"#, .value(.bool(false))),
            ("all(family, age > 5)", .value(.bool(true))),
            ("all(family, age >= 18)", .value(.bool(false))),
            (#"count(filter(family, relation == "child"), age >= 18)"#, .value(.int(1))),
            ("all(missing, age > 5)", .value(.bool(true))),
            ("any(missing, age > 5)", .value(.bool(false))),
            ("count(family, age > n)", .value(.int(3))),
            ("any(family, age > pending)", .unknown),
        ])
    func listFunctions(source: String, expected: Evaluation) throws {
        #expect(try eval(source) == expected)
    }

    @Test func filterKeepsTheMatchingRecords() throws {
        let result = try eval(#"filter(family, relation == "child")"#)
        #expect(result == .value(.list(Array(EvaluatorTests.family.dropFirst()))))
        #expect(try eval("filter(missing, age > 3)") == .absent)
    }

    @Test func absentFactsAsConditionsAreNo() {
        #expect(Evaluation.absent != .value(.bool(false)))
        var env = Environment(today: date("2027-01-01"))
        #expect(env["anything"] == .absent)
        env.set("x", .value(.int(1)))
        #expect(env.value("x") == .int(1))
        #expect(env.value("today") == .date(date("2027-01-01")))
        #expect(env.value("y") == nil)
    }

    @Test func groupDerivesItemFacts() throws {
        let derive = try parse(#"relation == "child" and age < 18"#)
        let group = Group(
            fact: "family", fields: [], more: "m", item: "i", derive: [("minor", derive)], maxItems: 5,
            deriveTypes: [.bool])
        let record = group.complete(Record(["relation": .choice("child"), "age": .int(10)]), today: date("2027-01-01"))
        #expect(record["minor"] == .bool(true))
        let adult = group.complete(Record(["relation": .choice("child"), "age": .int(20)]), today: date("2027-01-01"))
        #expect(adult["minor"] == .bool(false))
    }
}
