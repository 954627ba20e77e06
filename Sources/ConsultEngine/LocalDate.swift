/// A calendar date with no time and no time zone: what an applicant means by "31.03.2027".
///
/// Arithmetic runs on days since 1970-01-01 (proleptic Gregorian), so `+ 30` and
/// `days(from:to:)` never meet daylight-saving or time-zone surprises.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date, or nil when the day does not exist (31.02.2027, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= LocalDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Creates the date that lies `daysSinceEpoch` days after 1970-01-01.
    public init(daysSinceEpoch: Int) {
        // Howard Hinnant's civil_from_days.
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The first and last days a `LocalDate` can hold (years 1 to 9999).
    public static let earliest = LocalDate(year: 1, month: 1, day: 1)!
    public static let latest = LocalDate(year: 9999, month: 12, day: 31)!

    /// The date `days` days later (earlier when negative), held within `earliest...latest`:
    /// `today + 1000000000000` from an expression is the last representable day, not a trap.
    public func adding(days: Int) -> LocalDate {
        let (sum, overflow) = daysSinceEpoch.addingReportingOverflow(days)
        if overflow { return days > 0 ? .latest : .earliest }
        return LocalDate(
            daysSinceEpoch: Swift.min(
                Swift.max(sum, LocalDate.earliest.daysSinceEpoch), LocalDate.latest.daysSinceEpoch))
    }

    /// The date `days` days earlier, held within `earliest...latest` like `adding(days:)`.
    public func subtracting(days: Int) -> LocalDate {
        days == .min ? adding(days: .max) : adding(days: -days)
    }

    /// The date `months` calendar months later (earlier when negative), as the Civil Code counts a
    /// period in months: the same day of the month, or the month's last day when it has no such
    /// day (31 January + 1 month = 28 or 29 February). Nil past the years 1–9999.
    public func adding(months: Int) -> LocalDate? {
        let (scaled, overflow) = year.multipliedReportingOverflow(by: 12)
        guard !overflow else { return nil }
        let (total, overflow2) = (scaled + month - 1).addingReportingOverflow(months)
        guard !overflow2 else { return nil }
        let newYear = total >= 0 ? total / 12 : (total - 11) / 12
        let newMonth = total - newYear * 12 + 1
        guard (1...9999).contains(newYear) else { return nil }
        return LocalDate(
            year: newYear, month: newMonth, day: min(day, LocalDate.daysInMonth(year: newYear, month: newMonth)))
    }

    /// The date `years` calendar years later (earlier when negative): 29 February + 1 year is
    /// 28 February. Nil past the years 1–9999.
    public func adding(years: Int) -> LocalDate? {
        let (months, overflow) = years.multipliedReportingOverflow(by: 12)
        return overflow ? nil : adding(months: months)
    }

    /// Days from `self` to `other`: positive when `other` is later.
    public func days(to other: LocalDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `YYYY-MM-DD`, the form used in every file and in JSON.
    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Parses `2027-03-31` (ISO 8601) or `31.03.2027` (day first, as written in Russia and Spain).
    /// Single-digit days and months are accepted in the dotted form (`1.3.2027`).
    public init?(parsing text: String) {
        let t = text.trimmingWhitespace()
        if let parts = LocalDate.split(t, by: "-"), parts.count == 3,
            parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        {
            self.init(year: y, month: m, day: d)
            return
        }
        for separator: Character in [".", "/"] {
            guard let (d, m, y) = LocalDate.numbers(t, separatedBy: separator) else { continue }
            if separator == "." {
                self.init(year: y, month: m, day: d)
                return
            }
            // Slashes are day first in Russia and Spain and month first in the United States:
            // taken only when one reading alone is a date (31/12/2027, 12/31/2027) or both are
            // the same day (05/05/2027); 03/04/2027 is refused (see ambiguousReadings).
            if d <= 12 && m <= 12 && d != m { return nil }
            if let dayFirst = LocalDate(year: y, month: m, day: d) {
                self = dayFirst
                return
            }
            self.init(year: y, month: d, day: m)
            return
        }
        return nil
    }

    /// The two readings of a slash date that could be day first or month first (03/04/2027:
    /// 3 April or 4 March), which ``init(parsing:)`` refuses; nil for any other text.
    public static func ambiguousReadings(of text: String) -> (dayFirst: LocalDate, monthFirst: LocalDate)? {
        guard let (a, b, y) = numbers(text.trimmingWhitespace(), separatedBy: "/"), a <= 12, b <= 12, a != b,
            let dayFirst = LocalDate(year: y, month: b, day: a), let monthFirst = LocalDate(year: y, month: a, day: b)
        else { return nil }
        return (dayFirst, monthFirst)
    }

    /// D.M.YYYY or DD/MM/YYYY as three numbers (the first two of one or two digits).
    private static func numbers(_ text: String, separatedBy separator: Character) -> (Int, Int, Int)? {
        guard let parts = split(text, by: separator), parts.count == 3,
            (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
            let first = Int(parts[0]), let second = Int(parts[1]), let year = Int(parts[2])
        else { return nil }
        return (first, second, year)
    }

    private static func split(_ text: String, by separator: Character) -> [Substring]? {
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy({ $0.isASCII && $0.isNumber }) }) else { return nil }
        return parts
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension String {
    /// The string without leading and trailing white space (spaces, tabs, newlines, NBSP).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
