import ConsultContent
import ConsultEngine
import ConsultTestSupport
import Testing

/// What the applicant reads where the law is uncertain or the applicant's position changes the words
/// (content review §1; PRODUCT.md: holders and applicants, the last day of the grace period).
@Suite struct WordingTests {
    /// Terminated 2026-10-26: the deadline is today, 2026-11-25.
    static let lastDay = ["contract_terminated": "yes", "termination_date": "2026-10-26", "new_contract_signed": "no"]

    @Test(arguments: [
        ("en", "Today is the last day.", [" 0 days", " 0 day "]),
        ("es", "Hoy es el último día.", [" 0 días", "Quedan 0"]),
        ("ru", "Сегодня последний день.", [" 0 дней", "Осталось 0"]),
    ])
    func theLastDayOfTheGracePeriod(language: String, expected: String, never: [String]) throws {
        for role in ["vks", "family_member"] {
            var facts = Self.lastDay
            facts["applicant_role"] = role
            if role == "family_member" {
                facts["relation_to_vks"] = "spouse"
                facts["family_members"] = "-"
            }
            let r = try headless(vksFacts(facts), today: "2026-11-25")
            #expect(r.facts["grace_days_left"] == .int(0))
            let text = rendered(r, language)
            #expect(text.contains(expected), "\(language) \(role): \(text)")
            for wrong in never { #expect(!text.contains(wrong), "\(language) \(role): \(text)") }
        }
    }

    @Test(arguments: [
        ("2026-11-24", "1 day is left.", "Остался 1 день."), ("2026-11-23", "2 days are left.", "Осталось 2 дня."),
    ])
    func theDaysBeforeTheLastDay(today: String, en: String, ru: String) throws {
        let r = try headless(vksFacts(Self.lastDay), today: today)
        #expect(rendered(r, "en").contains(en))
        #expect(rendered(r, "ru").contains(ru))
    }

    /// "Your permit is valid until…" for a holder, "you can obtain a permit valid until…" otherwise.
    @Test func holdersAndApplicantsReadDifferentWords() throws {
        let applicant = rendered(try headless(vksFacts(), today: "2026-11-25"), "en")
        #expect(applicant.contains("you can obtain a residence permit"), "\(applicant)")
        #expect(applicant.contains("until 31 March 2028"))
        let holder = rendered(try headless(vksFacts(["holds_vks_residence_permit": "yes"]), today: "2026-11-25"), "en")
        #expect(holder.contains("Your residence permit as a highly qualified specialist (VKS) is valid"), "\(holder)")
        #expect(!holder.contains("you can obtain"))
        let ru = rendered(try headless(vksFacts(["holds_vks_residence_permit": "yes"]), today: "2026-11-25"), "ru")
        #expect(
            ru.contains(
                "Ваш вид на жительство как высококвалифицированного специалиста (ВКС) действует до 31 марта 2028 г."),
            "\(ru)")
    }

    /// A termination: "your permit will be cancelled" for a holder, "your work permit and application" otherwise.
    @Test(arguments: [
        ("yes", "your residence permit will be cancelled"),
        ("no", "your VKS work permit and any residence permit application"),
    ])
    func aTerminationForHoldersAndApplicants(holds: String, phrase: String) throws {
        var facts = Self.lastDay
        facts["holds_vks_residence_permit"] = holds
        let r = try headless(vksFacts(facts), today: "2026-11-10")
        #expect(rendered(r, "en").contains(phrase))
    }

    /// Content review §1.3: never a cancellation stated as a fact.
    @Test(arguments: ["yes", "no"])
    func aCancellationIsPossibleNeverCertain(holds: String) throws {
        let r = try headless(
            vksFacts([
                "contract_terminated": "yes", "termination_date": "2026-09-01", "new_contract_signed": "no",
                "holds_vks_residence_permit": holds,
            ]), today: "2026-11-25")
        #expect(r.outcomes.map(\.id) == ["rp_cancelled"])
        let en = rendered(r, "en"), es = rendered(r, "es"), ru = rendered(r, "ru")
        #expect(en.contains("may already") && !en.contains("has been cancelled"), "\(en)")
        #expect(es.contains("es posible que") && !es.contains("ya está anulado."), "\(es)")
        #expect(ru.contains("возможно, уже") && !ru.contains("ВНЖ уже аннулирован"), "\(ru)")
        #expect(ru.contains("позвоните сегодня же"))
    }

    /// Content review §1.4, §1.6, §1.7: no stronger than the office's page.
    @Test func noStrongerThanThePage() throws {
        let kept = rendered(
            try headless(
                vksFacts([
                    "contract_terminated": "yes", "termination_date": "2026-11-01", "new_contract_signed": "yes",
                    "holds_vks_residence_permit": "yes",
                ]), today: "2026-11-25"), "en")
        #expect(
            !kept.contains("therefore it is not cancelled")
                && kept.contains("if the new contract was concluded within"), "\(kept)")
        #expect(kept.contains("bring both employment contracts"))
        let applied = try headless(
            vksFacts([
                "has_vks_work_permit": "applied", "work_permit_expires": "-", "contract_terminated": "-",
                "holds_vks_residence_permit": "-", "wants_citizenship": "yes",
            ]), today: "2026-11-25")
        let text = rendered(applied, "en")
        #expect(
            !text.contains("you have the right to apply for Russian citizenship") && !text.contains("are entitled"),
            "\(text)")
        #expect(text.contains("you would first need to obtain it"))
        #expect(!text.contains("relieved of") && !text.contains("minimum salary"), "\(text)")
        let ru = rendered(applied, "ru")
        #expect(!ru.contains("освобождается") && !ru.contains("По позиции"), "\(ru)")
    }

    /// §2: what to bring and what happens next, figures marked as of 2025 for the lawyer to confirm.
    @Test(arguments: [
        ("en", "6,000 roubles", "as of 2025, the lawyer confirms"),
        ("es", "6000 rublos", "datos de 2025 que el abogado confirmará"),
        ("ru", "6 000 рублей", "по данным на 2025 год, юрист уточнит"),
    ])
    func whatToBringAndWhatHappensNext(language: String, fee: String, mark: String) throws {
        let text = rendered(try headless(vksFacts(), today: "2026-11-25"), language)
        #expect(text.contains(fee) && text.contains(mark), "\(text)")
        let general = rendered(
            try headless("topic: general_residence_permit\nhas_rvp: yes\nrvp_issued: 2025-06-01", today: "2026-11-25"),
            language)
        #expect(general.contains(fee) && general.contains(mark), "\(general)")
    }

    /// Typography: the office's phone and address never break inside (U+00A0 in the locale files).
    @Test(arguments: ["en", "es", "ru"])
    func noBreakInsideThePhoneAndTheAddress(language: String) throws {
        let p = Presenter(content: shipped, language: language)
        #expect(p.text("office.phone") == "+7\u{00A0}495\u{00A0}972-30-11")
        #expect(p.text("office.address").contains("27/29") && p.text("office.address").contains("\u{00A0}206"))
        if language == "ru" {
            #expect(
                p.text("office.address").contains("ул.\u{00A0}Сретенка, д.\u{00A0}27/29")
                    && p.text("office.address").contains("м.\u{00A0}«"))
        }
    }
}
