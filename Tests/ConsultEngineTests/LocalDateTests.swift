import ConsultEngine
import Testing

@Suite("local date")
struct LocalDateTests {
    @Test(
        "parsing",
        arguments: [
            ("2027-03-31", [Int]?([2027, 3, 31])),
            ("31.03.2027", [2027, 3, 31]),
            ("1.3.2027", [2027, 3, 1]),
            ("01.03.2027", [2027, 3, 1]),
            ("31/03/2027", [2027, 3, 31]),
            ("  2027-03-31\u{00A0}", [2027, 3, 31]),
            ("29.02.2028", [2028, 2, 29]),
            ("2000-02-29", [2000, 2, 29]),
            ("31.02.2027", nil),
            ("29.02.2027", nil),
            ("1900-02-29", nil),
            ("2027-02-30", nil),
            ("31.04.2027", nil),
            ("32.01.2027", nil),
            ("01.13.2027", nil),
            ("0.1.2027", nil),
            ("2027-3-31", nil),
            ("27-03-31", nil),
            ("31.03.27", nil),
            ("2027/03/31", nil),
            ("31.03.2027.", nil),
            ("31-03-2027", nil),
            ("2027-03-31T00:00", nil),
            ("tomorrow", nil),
            ("", nil),
            ("３１.03.2027", nil),
        ])
    func parsing(text: String, expected: [Int]?) {
        // Compared as [year, month, day], so that the expectation does not go through LocalDate's own checks.
        let parsed = LocalDate(parsing: text)
        #expect(parsed.map { [$0.year, $0.month, $0.day] } == expected)
    }

    @Test func validation() {
        #expect(LocalDate(year: 2027, month: 2, day: 28) != nil)
        #expect(LocalDate(year: 2027, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2024, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 2027, month: 0, day: 1) == nil)
        #expect(LocalDate(year: 2027, month: 12, day: 32) == nil)
        #expect(LocalDate(year: 2027, month: 6, day: 0) == nil)
        #expect(LocalDate(year: 0, month: 1, day: 1) == nil)
    }

    @Test(
        "arithmetic across month and year ends",
        arguments: [
            ("2027-01-31", 1, "2027-02-01"),
            ("2027-02-28", 1, "2027-03-01"),
            ("2028-02-28", 1, "2028-02-29"),
            ("2028-02-29", 1, "2028-03-01"),
            ("2027-12-31", 1, "2028-01-01"),
            ("2028-01-01", -1, "2027-12-31"),
            ("2027-03-01", -1, "2027-02-28"),
            ("2028-03-01", -1, "2028-02-29"),
            ("2027-03-31", 30, "2027-04-30"),
            ("2027-12-15", 30, "2028-01-14"),
            ("2027-01-01", 365, "2028-01-01"),
            ("2028-01-01", 366, "2029-01-01"),
            ("2100-02-28", 1, "2100-03-01"),
            ("1970-01-01", -1, "1969-12-31"),
        ])
    func arithmetic(start: String, days: Int, expected: String) {
        let d = date(start).adding(days: days)
        #expect(d.description == expected)
        #expect(date(start).days(to: d) == days)
    }

    @Test func daysBetween() {
        #expect(date("2027-01-01").days(to: date("2028-01-01")) == 365)
        #expect(date("2028-01-01").days(to: date("2029-01-01")) == 366)
        #expect(date("2028-03-01").days(to: date("2028-02-01")) == -29)
        #expect(date("2027-03-31").days(to: date("2027-03-31")) == 0)
    }

    @Test func epochRoundTrip() {
        #expect(LocalDate(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(date("1970-01-01").daysSinceEpoch == 0)
        #expect(date("2000-03-01").daysSinceEpoch == 11017)
        for n in stride(from: -800_000, through: 2_900_000, by: 997) {
            #expect(LocalDate(daysSinceEpoch: n).daysSinceEpoch == n)
        }
    }

    @Test func orderAndDescription() {
        #expect(date("2027-12-31") < date("2028-01-01"))
        #expect(date("2027-02-01") > date("2027-01-31"))
        #expect(LocalDate(parsing: "1.3.2027")?.description == "2027-03-01")
        #expect(LocalDate(year: 987, month: 6, day: 5)?.description == "0987-06-05")
    }
}
