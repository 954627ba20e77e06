import ConsultTestSupport
import Foundation
import Testing

/// `consult run --format text` as a relative, a holder, an urgent case and a general-route applicant
/// read it, in Russian and Spanish (issue 10), through the real binary.
@Suite struct RunTextTests {
    let cli = RunCommandTests()

    func text(_ facts: String, language: String, today: String = "2026-11-25") throws -> String {
        let out = try cli.consult([
            "run", "--facts", try cli.factsFile(facts).path, "--today", today, "--format", "text", "--lang", language,
        ])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stderr.isEmpty, "\(out.stderr)")
        let text = plainSpaces(out.stdout)
        #expect(
            !text.contains("{") && !text.contains("vks.") && !text.contains("general.") && !text.contains("—\u{20}—"),
            "\(text)")
        #expect(!text.contains("г.."), "a date ends a Russian sentence twice: \(text)")
        return text
    }

    static let relative = """
        topic: vks_residence_permit
        applicant_role: family_member
        has_vks_work_permit: issued
        work_permit_expires: 2028-03-31
        contract_terminated: no
        holds_vks_residence_permit: no
        relation_to_vks: child
        applicant_age: 17
        wants_citizenship: no
        wants_independent_permit: no
        """

    static let holder = """
        topic: vks_residence_permit
        applicant_role: vks
        has_vks_work_permit: issued
        work_permit_expires: 2028-03-31
        contract_terminated: no
        holds_vks_residence_permit: yes
        wants_citizenship: no
        wants_independent_permit: no
        family_members: [{relation: spouse, age: 34}]
        """

    static let urgent = """
        topic: vks_residence_permit
        applicant_role: vks
        has_vks_work_permit: issued
        work_permit_expires: 2028-03-31
        contract_terminated: yes
        termination_date: 2026-09-01
        new_contract_signed: no
        holds_vks_residence_permit: yes
        wants_independent_permit: no
        """

    static let general = """
        topic: general_residence_permit
        has_rvp: yes
        rvp_issued: 2025-02-28
        """

    @Test(arguments: [
        (
            "ru",
            [
                "Разрешение на работу ВКС вашего родственника действует до 31 марта 2028 г.",
                "Вы — ребёнок специалиста, и вам ещё нет 18 лет, поэтому",
                "копии разрешения на работу и трудового договора специалиста",
            ]
        ),
        (
            "es",
            [
                "El permiso de trabajo VKS de su familiar es válido hasta el 31 de marzo de 2028",
                "Usted es hijo o hija del especialista y tiene menos de 18 años, así que",
                "una copia del permiso de trabajo y del contrato de trabajo del especialista",
            ]
        ),
    ])
    func aRelative(language: String, expected: [String]) throws {
        let t = try text(Self.relative, language: language)
        for e in expected { #expect(t.contains(e), "\(language): '\(e)' not in\n\(t)") }
    }

    @Test(arguments: [
        (
            "ru",
            [
                "Ваш вид на жительство как высококвалифицированного специалиста (ВКС) действует до 31 марта 2028 г.",
                "супруг или супруга (34 года)",
            ]
        ),
        (
            "es",
            [
                "Su permiso de residencia como especialista altamente cualificado (VKS) es válido mientras lo sea su permiso de trabajo, es decir, hasta el 31 de marzo de 2028",
                "cónyuge (34 años)",
            ]
        ),
    ])
    func aHolder(language: String, expected: [String]) throws {
        let t = try text(Self.holder, language: language)
        for e in expected { #expect(t.contains(e), "\(language): '\(e)' not in\n\(t)") }
        #expect(!t.contains("Позвоните нам прямо сейчас") && !t.contains("Llame al despacho ahora mismo"))
    }

    @Test(arguments: [
        (
            "ru", "Что это означает для вас\n\nПозвоните нам прямо сейчас: +7 495 972-30-11.",
            ["ваш ВНЖ, возможно, уже аннулирован", "1 октября 2026 г."]
        ),
        (
            "es", "Qué significa esto para usted\n\nLlame al despacho ahora mismo: +7 495 972-30-11.",
            ["es posible que su permiso de residencia ya esté anulado", "1 de octubre de 2026"]
        ),
    ])
    func anUrgentCase(language: String, start: String, expected: [String]) throws {
        let t = try text(Self.urgent, language: language)
        #expect(t.hasPrefix(start), "\(t)")
        for e in expected { #expect(t.contains(e), "\(language): '\(e)' not in\n\(t)") }
    }

    @Test(arguments: [
        (
            "ru",
            [
                "Ваше РВП выдано 28 февраля 2025 г.; срок его действия истекает 28 февраля 2028 г., и продлить его нельзя",
                "С 28 февраля 2026 г. вы можете",
                "не позднее 28 октября 2027 г.", "6 000 рублей",
            ]
        ),
        (
            "es",
            [
                "Su RVP se expidió el 28 de febrero de 2025 y es válido hasta el 28 de febrero de 2028",
                "Desde el 28 de febrero de 2026 puede",
                "a más tardar el 28 de octubre de 2027", "6000 rublos",
            ]
        ),
    ])
    func aGeneralRouteApplicant(language: String, expected: [String]) throws {
        let t = try text(Self.general, language: language)
        for e in expected { #expect(t.contains(e), "\(language): '\(e)' not in\n\(t)") }
    }

    @Test func theJSONCarriesTheNewFacts() throws {
        let out = try cli.consult(["run", "--facts", try cli.factsFile(Self.relative).path, "--today", "2026-11-25"])
        #expect(out.status == 0)
        let object = try cli.json(out)
        let facts = try #require(object["facts"] as? [String: Any])
        #expect(facts["applicant_included"] as? Bool == true)
        #expect(facts["urgent"] as? Bool == false)
        #expect(object["outcomes"] as? [String] == ["vks_rp_eligible", "family_included"])
        let general = try cli.consult(["run", "--facts", try cli.factsFile(Self.general).path, "--today", "2026-11-25"])
        let g = try #require(try cli.json(general)["facts"] as? [String: Any])
        #expect(g["rvp_expires"] as? String == "2028-02-28")
        #expect(g["rp_apply_from"] as? String == "2026-02-28")
        #expect(g["rp_apply_until"] as? String == "2027-10-28")
    }
}
