import ConsultContent
import ConsultEngine
import Testing

/// PRODUCT.md: a question whose answer can change no outcome on the applicant's route is not asked,
/// and `consult run` does not report it as missing (content review §1.10).
@Suite struct UnnecessaryQuestionsTests {
    @Test(arguments: ["vks", "family_member"])
    func theNoneRouteAsksNothingMore(role: String) throws {
        let r = try headless(
            "topic: vks_residence_permit\napplicant_role: \(role)\nhas_vks_work_permit: none", today: "2026-11-25")
        #expect(r.missing == [])
        #expect(r.outcomes.map(\.id) == ["vks_rp_not_eligible", "general_order_route"])
    }

    @Test(arguments: ["vks", "family_member"])
    func theExpiredRouteAsksNothingMore(role: String) throws {
        let r = try headless(
            "topic: vks_residence_permit\napplicant_role: \(role)\nhas_vks_work_permit: issued\nwork_permit_expires: 2026-11-24",
            today: "2026-11-25")
        #expect(r.missing == [])
        #expect(r.outcomes.map(\.id) == ["work_permit_expired"])
    }

    /// After the deadline (rp_cancelled) neither citizenship nor family can change an outcome.
    @Test func theCancelledRouteAsksOnlyAboutAnIndependentPermit() throws {
        let r = try headless(
            """
            topic: vks_residence_permit
            applicant_role: vks
            has_vks_work_permit: issued
            work_permit_expires: 2028-03-31
            contract_terminated: yes
            termination_date: 2026-09-01
            new_contract_signed: no
            holds_vks_residence_permit: yes
            """, today: "2026-11-25")
        #expect(r.missing == ["wants_independent_permit"])
    }

    /// Driven as an applicant: after "no work permit" the consultation goes straight to the appointment.
    @Test(arguments: [("1", "3"), ("2", "3")])
    func aSessionOnTheNoneRoute(role: String, permit: String) throws {
        let d = try Driver.vks(role: role)
        d.typeAll([permit])
        #expect(d.current == "wants_appointment")
        #expect(
            d.consultation.answeredFacts.map(\.fact) == [
                "language", "consent", "topic", "applicant_role", "has_vks_work_permit",
            ])
    }

    @Test func aSessionOnTheExpiredRoute() throws {
        let d = try Driver.vks()
        d.typeAll(["1", "01.01.2026"])
        #expect(d.current == "wants_appointment")
        #expect(d.consultation.outcomes.map(\.id) == ["work_permit_expired"])
    }

    /// The family question is the specialist's; a relative is asked about themselves instead.
    @Test func theSpecialistIsAskedAboutFamilyTheRelativeAboutThemselves() throws {
        let specialist = try headless(
            "topic: vks_residence_permit\napplicant_role: vks\nhas_vks_work_permit: applied", today: "2026-11-25")
        #expect(specialist.missing == ["wants_citizenship", "wants_independent_permit", "family_members"])
        let relative = try headless(
            "topic: vks_residence_permit\napplicant_role: family_member\nhas_vks_work_permit: applied",
            today: "2026-11-25")
        #expect(relative.missing == ["relation_to_vks", "wants_citizenship", "wants_independent_permit"])
    }
}
