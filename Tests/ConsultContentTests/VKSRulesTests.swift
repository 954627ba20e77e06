import ConsultContent
import ConsultEngine
import ConsultTestSupport
import Testing

/// PRODUCT.md's rules, each at its boundaries, through the shipped dialogs.
@Suite struct VKSRulesTests {
    @Test func noWorkPermitLeadsToTheGeneralProcedure() throws {
        let r = try headless(
            vksFacts([
                "has_vks_work_permit": "none", "work_permit_expires": "-", "contract_terminated": "-",
                "wants_citizenship": "-", "family_members": "-",
            ]), today: "2026-11-25")
        #expect(r.missing == [])
        #expect(r.outcomes.map(\.id) == ["vks_rp_not_eligible", "general_order_route"])
    }

    @Test func noWorkPermitAndWantingAnIndependentPermitGivesTheGeneralRouteOnce() throws {
        let r = try headless(
            vksFacts([
                "has_vks_work_permit": "none", "work_permit_expires": "-", "contract_terminated": "-",
                "wants_citizenship": "-", "family_members": "-", "wants_independent_permit": "yes",
            ]),
            today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == ["vks_rp_not_eligible", "general_order_route"])
    }

    @Test func appliedLeadsToThePermitAfterTheWorkPermit() throws {
        let r = try headless(
            vksFacts([
                "has_vks_work_permit": "applied", "work_permit_expires": "-", "contract_terminated": "-",
                "wants_citizenship": "yes",
            ]), today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == ["vks_rp_after_work_permit", "citizenship_path"])
    }

    @Test(arguments: [
        ("2026-11-24", ["work_permit_expired"]),  // expired yesterday
        ("2026-11-25", ["vks_rp_eligible"]),  // expires today: still valid today
        ("2026-11-26", ["vks_rp_eligible"]),
    ])
    func workPermitExpiryAroundToday(expires: String, outcomes: [String]) throws {
        let r = try headless(vksFacts(["work_permit_expires": expires]), today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == outcomes)
        if outcomes == ["vks_rp_eligible"] {
            #expect(r.facts["permit_valid_until"] == .date(date(expires)))
        } else {
            #expect(r.facts["permit_valid_until"] == nil)
        }
    }

    @Test func anExpiredPermitSaysNothingElseAboutThePermit() throws {
        // Contract questions are not asked; citizenship is not offered on this route.
        let r = try headless(
            vksFacts(
                ["work_permit_expires": "2025-01-01", "contract_terminated": "-", "wants_citizenship": "yes"],
                family: "[{relation: spouse, age: 30}]"), today: "2026-11-25")
        #expect(r.missing == [])
        #expect(r.outcomes.map(\.id) == ["work_permit_expired"])
    }

    @Test func validPermitNotTerminatedIsEligibleUntilTheWorkPermitEnds() throws {
        let r = try headless(vksFacts(), today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == ["vks_rp_eligible"])
        #expect(r.facts["permit_valid_until"] == .date(date("2028-03-31")))
    }

    @Test func terminatedWithANewContractKeepsThePermit() throws {
        let r = try headless(
            vksFacts(["contract_terminated": "yes", "termination_date": "2026-11-01", "new_contract_signed": "yes"]),
            today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == ["vks_rp_eligible", "rp_kept_new_employer"])
    }

    /// Terminated on 2026-11-10: the deadline is 2026-12-10.
    @Test(
        arguments: [
            ("2026-11-25", ["grace_period_active"], 15),
            ("2026-12-09", ["grace_period_active"], 1),
            ("2026-12-10", ["grace_period_active"], 0),  // the deadline itself: 0 days left
            ("2026-12-11", ["rp_cancelled"], nil),  // the day after
        ] as [(String, [String], Int?)])
    func gracePeriodAroundTheDeadline(today: String, outcomes: [String], daysLeft: Int?) throws {
        let r = try headless(
            vksFacts([
                "work_permit_expires": "2028-03-31", "contract_terminated": "yes",
                "termination_date": "2026-11-10", "new_contract_signed": "no",
            ]), today: today)
        #expect(r.outcomes.map(\.id) == outcomes)
        #expect(r.facts["grace_deadline"] == .date(date("2026-12-10")))
        #expect(r.facts["grace_days_left"] == daysLeft.map { .int($0) })
    }

    @Test(arguments: [
        ("vks_rp_eligible", ["contract_terminated": "no"], true),
        (
            "vks_rp_after_work_permit",
            ["has_vks_work_permit": "applied", "work_permit_expires": "-", "contract_terminated": "-"], true
        ),
        (
            "grace_period_active",
            ["contract_terminated": "yes", "termination_date": "2026-11-20", "new_contract_signed": "no"], true
        ),
        (
            "rp_cancelled",
            ["contract_terminated": "yes", "termination_date": "2026-09-01", "new_contract_signed": "no"], false
        ),
        ("work_permit_expired", ["work_permit_expires": "2026-01-01", "contract_terminated": "-"], false),
    ])
    func citizenshipOnlyOnTheRoutesThatLeadThere(route: String, facts: [String: String], offered: Bool) throws {
        var overrides = facts
        overrides["wants_citizenship"] = "yes"
        let r = try headless(vksFacts(overrides), today: "2026-11-25")
        #expect(r.outcomes.first?.id == route)
        #expect(r.outcomes.map(\.id).contains("citizenship_path") == offered)
    }

    @Test func wantingAnIndependentPermitAddsTheGeneralRoute() throws {
        let r = try headless(
            vksFacts(["wants_independent_permit": "yes", "wants_citizenship": "yes"]), today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == ["vks_rp_eligible", "citizenship_path", "general_order_route"])
    }

    @Test func familyMembersAtTheAgeBoundary() throws {
        let family =
            "[{relation: child, age: 17}, {relation: child, age: 18}, {relation: spouse, age: 40}, {relation: grandparent, age: 80}, {relation: other, age: 30}]"
        let r = try headless(vksFacts(family: family), today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == ["vks_rp_eligible", "family_included", "family_review"])
        guard case .list(let members)? = r.facts["family_members"] else {
            Issue.record("family_members is not a list")
            return
        }
        #expect(members.map { $0["included"] } == [.bool(true), .bool(false), .bool(true), .bool(true), .bool(false)])
    }

    @Test func onlyIncludedMembersGiveOnlyFamilyIncluded() throws {
        let r = try headless(
            vksFacts(family: "[{relation: parent, age: 60}, {relation: grandchild, age: 3}]"), today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == ["vks_rp_eligible", "family_included"])
    }

    @Test func noFamilyOutcomeOffTheFamilyRoutes() throws {
        let r = try headless(
            vksFacts(
                ["contract_terminated": "yes", "termination_date": "2026-01-01", "new_contract_signed": "no"],
                family: "[{relation: spouse, age: 40}]"), today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == ["rp_cancelled"])
    }

    @Test func missingFactsAreListedInOrder() throws {
        let r = try headless("topic: vks_residence_permit\nhas_vks_work_permit: issued", today: "2026-11-25")
        #expect(r.outcomes.isEmpty)
        // Who is consulting comes first; what follows the work permit's date is not certain yet.
        #expect(r.missing == ["applicant_role", "work_permit_expires"])
    }

    @Test func aMalformedValueNamesTheFactAndWhatWasExpected() throws {
        #expect {
            _ = try headless(vksFacts(["work_permit_expires": "31/02/2027"]), today: "2026-11-25")
        } throws: { error in
            let e = error as? FactsError
            return e?.fact == "work_permit_expires" && e?.message.contains("YYYY-MM-DD") == true
                && e?.location.line == 3
        }
        #expect {
            _ = try headless(vksFacts(["has_vks_work_permit": "maybe"]), today: "2026-11-25")
        } throws: { error in
            (error as? FactsError)?.message.contains("one of issued, applied, none") == true
        }
        #expect {
            _ = try headless(vksFacts(family: "[{relation: cousin, age: 3}]"), today: "2026-11-25")
        } throws: { error in
            (error as? FactsError)?.fact == "family_members[0].relation"
        }
    }

    @Test func aTerminationDateInTheFutureIsRejected() throws {
        #expect(throws: FactsError.self) {
            _ = try headless(
                vksFacts(["contract_terminated": "yes", "termination_date": "2026-12-01", "new_contract_signed": "no"]),
                today: "2026-11-25")
        }
    }

    @Test func unknownFactsAreReportedNotUsed() throws {
        let r = try headless(vksFacts(["has_vks_permit": "none", "grace_deadline": "2030-01-01"]), today: "2026-11-25")
        #expect(r.unknown == ["has_vks_permit"])
        #expect(r.computed == ["grace_deadline"])
        #expect(r.outcomes.map(\.id) == ["vks_rp_eligible"])
    }
}
