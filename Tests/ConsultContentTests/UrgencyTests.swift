import ConsultContent
import ConsultEngine
import Testing

/// PRODUCT.md's derived `urgent`, at each boundary, and what an urgent applicant reads first.
@Suite struct UrgencyTests {
    /// Terminated on 2026-11-10, no new contract: the deadline is 2026-12-10.
    @Test(arguments: [
        ("2026-11-29", 11, false),
        ("2026-11-30", 10, true),
        ("2026-12-10", 0, true),
    ])
    func graceDaysLeft(today: String, daysLeft: Int, urgent: Bool) throws {
        let r = try headless(
            vksFacts(["contract_terminated": "yes", "termination_date": "2026-11-10", "new_contract_signed": "no"]),
            today: today)
        #expect(r.outcomes.map(\.id) == ["grace_period_active"])
        #expect(r.facts["grace_days_left"] == .int(daysLeft))
        #expect(r.facts["urgent"] == .bool(urgent))
    }

    /// The work permit (and so the residence permit) ends 60 or 61 days after today.
    @Test(arguments: [
        ("2027-01-25", false),  // 61 days after 2026-11-25
        ("2027-01-24", true),  // 60 days
        ("2026-11-25", true),  // today
    ])
    func permitEndingWithinSixtyDays(expires: String, urgent: Bool) throws {
        for holds in ["no", "yes"] {
            let r = try headless(
                vksFacts(["work_permit_expires": expires, "holds_vks_residence_permit": holds]), today: "2026-11-25")
            #expect(r.outcomes.map(\.id) == ["vks_rp_eligible"])
            #expect(r.facts["urgent"] == .bool(urgent))
            let text = rendered(r, "en")
            #expect(text.contains("Call the office now: +7 495 972-30-11.") == urgent, "\(text)")
        }
    }

    @Test(
        arguments: [
            (
                ["contract_terminated": "yes", "termination_date": "2026-10-01", "new_contract_signed": "no"],
                "rp_cancelled", true
            ),
            (["work_permit_expires": "2026-11-24", "contract_terminated": "-"], "work_permit_expired", true),
            (
                ["contract_terminated": "yes", "termination_date": "2026-11-01", "new_contract_signed": "yes"],
                "vks_rp_eligible", false
            ),
            (
                ["has_vks_work_permit": "applied", "work_permit_expires": "-", "contract_terminated": "-"],
                "vks_rp_after_work_permit", false
            ),
            (
                ["has_vks_work_permit": "none", "work_permit_expires": "-", "contract_terminated": "-"],
                "vks_rp_not_eligible", false
            ),
        ] as [([String: String], String, Bool)])
    func urgentByRoute(facts: [String: String], first: String, urgent: Bool) throws {
        for role in ["vks", "family_member"] {
            var f = facts
            f["applicant_role"] = role
            if role == "family_member" {
                f["relation_to_vks"] = "spouse"
                f["family_members"] = "-"
            }
            let r = try headless(vksFacts(f), today: "2026-11-25")
            #expect(r.outcomes.first?.id == first)
            #expect(r.facts["urgent"] == .bool(urgent))
        }
    }

    /// An urgent applicant reads "call now" and the phone before anything else, in every language.
    @Test(arguments: [
        ("en", "Call the office now: +7 495 972-30-11."),
        ("es", "Llame al despacho ahora mismo: +7 495 972-30-11."),
        ("ru", "Позвоните нам прямо сейчас: +7 495 972-30-11."),
    ])
    func theCallComesFirst(language: String, call: String) throws {
        let cases = [
            vksFacts(["contract_terminated": "yes", "termination_date": "2026-10-01", "new_contract_signed": "no"]),
            vksFacts(["work_permit_expires": "2026-11-01", "contract_terminated": "-"]),
            vksFacts(["contract_terminated": "yes", "termination_date": "2026-10-30", "new_contract_signed": "no"]),
            vksFacts(["work_permit_expires": "2026-12-31"]),
            "topic: general_residence_permit\nhas_rvp: yes\nrvp_issued: 2023-12-20",
            "topic: general_residence_permit\nhas_rvp: yes\nrvp_issued: 2023-01-10",
        ]
        for facts in cases {
            let r = try headless(facts, today: "2026-11-25")
            #expect(r.facts["urgent"] == .bool(true), "\(facts)")
            let text = rendered(r, language)
            let body = text.split(separator: "\n\n").dropFirst().first.map(String.init) ?? ""
            #expect(body.hasPrefix(call), "\(language): \(text)")
        }
    }

    /// `urgent` exists on every topic when the consultation reaches the closing.
    @Test(arguments: ["prices", "question"])
    func otherTopicsAreNotUrgent(topic: String) throws {
        let r = try headless("topic: \(topic)", today: "2026-11-25")
        #expect(r.facts["urgent"] == .bool(false))
    }

    @Test func aFullConsultationReachesTheClosingWithUrgentSet() throws {
        let d = try Driver.vks(language: "ru")
        d.typeAll(["1", "31.03.2028", "да", "10.11.2026", "нет", "нет", "нет", "нет", "нет"])
        #expect(d.current == "wants_appointment")
        #expect(d.consultation.environment.value("urgent") == .bool(false))
        let general = try Driver()
        general.typeAll(["1", "yes", "2", "yes", "20.12.2023"])
        #expect(general.current == "wants_appointment")
        #expect(general.consultation.environment.value("urgent") == .bool(true))
    }
}
