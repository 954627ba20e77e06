import ConsultContent
import ConsultEngine
import Testing

/// The general route on the calendar (PRODUCT.md): a year after 29 February is 28 February; the
/// window to apply runs from a year on the RVP to 4 months before it expires.
@Suite struct GeneralRouteTests {
    func run(issued: String, today: String) throws -> HeadlessRun {
        try headless("topic: general_residence_permit\nhas_rvp: yes\nrvp_issued: \(issued)", today: today)
    }

    @Test func noRVPFirst() throws {
        let r = try headless("topic: general_residence_permit\nhas_rvp: no", today: "2026-11-25")
        #expect(r.missing == [])
        #expect(r.outcomes.map(\.id) == ["general_rvp_first"])
        #expect(r.facts["urgent"] == .bool(false))
    }

    @Test(arguments: [
        // issued, expires, apply from, apply until
        ("2024-02-29", "2027-02-28", "2025-02-28", "2026-10-28"),
        ("2023-02-28", "2026-02-28", "2024-02-28", "2025-10-28"),  // a leap year after: still 28 February
        ("2023-12-20", "2026-12-20", "2024-12-20", "2026-08-20"),  // not 19 December: a year is not 365 days
        ("2024-06-30", "2027-06-30", "2025-06-30", "2027-02-28"),  // 4 months before 30 June: end of February
        ("2023-10-31", "2026-10-31", "2024-10-31", "2026-06-30"),
    ])
    func calendarDates(issued: String, expires: String, from: String, until: String) throws {
        let r = try run(issued: issued, today: "2028-01-01")
        #expect(r.facts["rvp_expires"] == .date(date(expires)))
        #expect(r.facts["rp_apply_from"] == .date(date(from)))
        #expect(r.facts["rp_apply_until"] == .date(date(until)))
    }

    /// Issued 29 February 2024: apply from 28 February 2025 to 28 October 2026; expires 28 February 2027.
    @Test(arguments: [
        ("2025-02-27", "general_rp_after_rvp", "general.outcome.general_rp_after_rvp_wait", false),
        ("2025-02-28", "general_rp_after_rvp", "general.outcome.general_rp_after_rvp_now", false),
        ("2026-10-28", "general_rp_after_rvp", "general.outcome.general_rp_after_rvp_now", false),
        ("2026-10-29", "general_rp_window_closed", "general.outcome.general_rp_window_closed", true),
        ("2027-02-28", "general_rp_window_closed", "general.outcome.general_rp_window_closed", true),
        ("2027-03-01", "general_rvp_expired", "general.outcome.general_rvp_expired", true),
    ])
    func aroundTheWindow(today: String, outcome: String, explain: String, urgent: Bool) throws {
        let r = try run(issued: "2024-02-29", today: today)
        #expect(r.missing == [])
        #expect(r.outcomes.map(\.id) == [outcome])
        #expect(r.outcomes.first?.explain.rawValue == explain)
        #expect(r.facts["urgent"] == .bool(urgent))
    }

    /// "Apply now" is never shown once the window has closed; the wait and the now texts name the same window.
    @Test func theTextsNameTheWindow() throws {
        let wait = rendered(try run(issued: "2026-02-28", today: "2026-11-25"), "en")
        #expect(wait.contains("from 28 February 2027") && wait.contains("by 28 October 2028"), "\(wait)")
        let now = rendered(try run(issued: "2025-02-28", today: "2026-11-25"), "en")
        #expect(now.contains("Since 28 February 2026") && now.contains("no later than 28 October 2027"), "\(now)")
        let closed = rendered(try run(issued: "2024-02-29", today: "2026-11-25"), "ru")
        #expect(!closed.contains("не откладывайте") && closed.contains("этот срок прошёл"), "\(closed)")
        #expect(closed.contains("28 октября 2026 г."), "\(closed)")
    }
}
