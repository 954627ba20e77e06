import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
import Testing

/// A relative of a specialist (PRODUCT.md: applicant_role, relation_to_vks, applicant_age, applicant_included):
/// the same routes as the specialist, the relative's own inclusion, the wording in the third person.
@Suite struct RelativeRulesTests {
    /// Role × route: the outcome IDs do not depend on who is consulting; the explanation does.
    @Test(
        arguments: [
            (
                [
                    "has_vks_work_permit": "none", "work_permit_expires": "-", "contract_terminated": "-",
                    "holds_vks_residence_permit": "-",
                ],
                ["vks_rp_not_eligible", "general_order_route"], "vks.outcome.vks_rp_not_eligible"
            ),
            (
                [
                    "has_vks_work_permit": "applied", "work_permit_expires": "-", "contract_terminated": "-",
                    "holds_vks_residence_permit": "-",
                ],
                ["vks_rp_after_work_permit"], "vks.outcome.vks_rp_after_work_permit"
            ),
            (
                ["work_permit_expires": "2026-01-01", "contract_terminated": "-", "holds_vks_residence_permit": "-"],
                ["work_permit_expired"], "vks.outcome.work_permit_expired"
            ),
            ([:], ["vks_rp_eligible"], "vks.outcome.vks_rp_eligible"),
            (
                ["contract_terminated": "yes", "termination_date": "2026-11-01", "new_contract_signed": "yes"],
                ["vks_rp_eligible", "rp_kept_new_employer"], "vks.outcome.vks_rp_eligible_new_contract"
            ),
            (
                ["contract_terminated": "yes", "termination_date": "2026-11-10", "new_contract_signed": "no"],
                ["grace_period_active"], "vks.outcome.grace_period_active"
            ),
            (
                ["contract_terminated": "yes", "termination_date": "2026-09-01", "new_contract_signed": "no"],
                ["rp_cancelled"], "vks.outcome.rp_cancelled"
            ),
        ] as [([String: String], [String], String)])
    func roleByRoute(facts: [String: String], specialistOutcomes: [String], firstExplain: String) throws {
        let specialist = try headless(vksFacts(facts), today: "2026-11-25")
        #expect(specialist.missing == [])
        #expect(specialist.outcomes.map(\.id) == specialistOutcomes)
        #expect(specialist.outcomes.first.map { $0.explain.rawValue } == firstExplain)

        // The relative: a spouse, included on the routes where family members obtain the permit.
        let relative = try headless(relativeFacts(facts), today: "2026-11-25")
        #expect(relative.missing == [])
        let familyRoute = relative.facts["vks_route"] == .bool(true)
        #expect(relative.outcomes.map(\.id) == specialistOutcomes + (familyRoute ? ["family_included"] : []))
        #expect(relative.outcomes.first.map { $0.explain.rawValue } == firstExplain + "_relative")
        #expect(relative.facts["applicant_included"] == (familyRoute ? .bool(true) : nil))
        // The relative is never asked about family members of their own.
        #expect(relative.facts["family_members"] == nil)
    }

    /// relation × age for a relative: a child is included under 18, not from 18 (the lawyer looks at it).
    @Test(
        arguments: [
            ("spouse", nil, true), ("parent", nil, true), ("grandchild", nil, true), ("grandparent", nil, true),
            ("child", 17, true), ("child", 18, false), ("child", 0, true), ("other", nil, false),
        ] as [(String, Int?, Bool)])
    func relationAndAge(relation: String, age: Int?, included: Bool) throws {
        var facts = ["relation_to_vks": relation]
        if let age { facts["applicant_age"] = String(age) }
        let r = try headless(relativeFacts(facts), today: "2026-11-25")
        #expect(r.missing == [])
        #expect(r.facts["applicant_included"] == .bool(included))
        #expect(r.outcomes.map(\.id) == ["vks_rp_eligible", included ? "family_included" : "family_review"])
        let text = rendered(r, "en")
        #expect(!text.contains("refused") && !text.contains("not eligible"), "\(text)")
    }

    @Test func theAgeIsAskedOnlyOfAChild() throws {
        let child = try headless(relativeFacts(["relation_to_vks": "child"]), today: "2026-11-25")
        #expect(child.missing == ["applicant_age"])
        let spouse = try headless(relativeFacts(["relation_to_vks": "spouse"]), today: "2026-11-25")
        #expect(spouse.missing == [])
    }

    /// Content review §1.1: a spouse whose relative has a VKS work permit is never told that the
    /// permit "cannot be obtained"; without a work permit, "not yet".
    @Test(arguments: ["issued", "applied", "none"])
    func aSpouseIsNeverToldThePermitCannotBeObtained(permit: String) throws {
        var facts = ["has_vks_work_permit": permit]
        if permit != "issued" {
            facts.merge(["work_permit_expires": "-", "contract_terminated": "-", "holds_vks_residence_permit": "-"]) {
                $1
            }
        }
        let r = try headless(relativeFacts(facts), today: "2026-11-25")
        let en = rendered(r, "en"), es = rendered(r, "es"), ru = rendered(r, "ru")
        for phrase in ["cannot be obtained", "not eligible"] { #expect(!en.contains(phrase), "\(en)") }
        #expect(!ru.contains("нельзя получить") && !ru.contains("недоступен"), "\(ru)")
        #expect(!es.contains("no puede obtenerse") && !es.contains("no está a su alcance"), "\(es)")
        if permit == "none" {
            // "Not yet", and what it takes.
            #expect(en.contains("Your relative does not have a VKS work permit yet"), "\(en)")
            #expect(ru.contains("У вашего родственника пока нет разрешения на работу ВКС"), "\(ru)")
            #expect(es.contains("Su familiar todavía no tiene un permiso de trabajo VKS"), "\(es)")
        }
    }

    @Test func anAdultChildReadsThatTheLawyerLooksAtItNeverARefusal() throws {
        let r = try headless(relativeFacts(["relation_to_vks": "child", "applicant_age": "18"]), today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == ["vks_rp_eligible", "family_review"])
        #expect(rendered(r, "ru").contains("Это не отказ"))
        #expect(rendered(r, "es").contains("No es una denegación"))
        #expect(rendered(r, "en").contains("This is not a refusal"))
        #expect(r.outcomes.last?.confirm.map(\.rawValue) == ["vks.confirm.family_members"])
    }

    /// For a relative, every question about the specialist is asked in the third person.
    @Test(arguments: ["en", "es", "ru"])
    func questionsAboutTheSpecialistAreInTheThirdPerson(language: String) throws {
        let d = try Driver.vks(language: language, role: "2")
        let relative = ["en": "relative", "es": "familiar", "ru": "родственник"][language]!
        var prompts: [String] = []
        func prompt() -> String {
            guard case .ask(let p) = d.consultation.step else { return "" }
            return Presenter(content: shipped, language: language).prompt(p, facts: d.consultation.environment)
        }
        let yes = ["en": "yes", "es": "sí", "ru": "да"][language]!
        let no = ["en": "no", "es": "no", "ru": "нет"][language]!
        for (fact, answer) in [
            ("has_vks_work_permit", "1"), ("work_permit_expires", "31.03.2028"), ("contract_terminated", yes),
            ("termination_date", "20.11.2026"), ("new_contract_signed", no),
        ] {
            #expect(d.current == fact)
            prompts.append(prompt())
            d.typeAll([answer])
        }
        for p in prompts { #expect(p.contains(relative), "\(language): \(p)") }
        #expect(d.current == "holds_vks_residence_permit")
        d.typeAll([no])
        #expect(d.current == "relation_to_vks")
        d.typeAll(["2"])  // child
        #expect(d.current == "applicant_age")
        d.typeAll(["17", no, no])
        #expect(d.current == "wants_appointment")  // no family list for a relative
        #expect(d.consultation.outcomes.map(\.id) == ["grace_period_active", "family_included"])
    }
}
