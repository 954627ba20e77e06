import ConsultContent
import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
import Testing

/// A consultation driven as an applicant would, through the shipped dialogs.
final class Driver {
    var consultation: Consultation
    var language: String

    init(today: String = "2026-11-25", language: String = "en") throws {
        consultation = try Consultation(dialogs: shipped.dialogs, today: date(today))
        self.language = language
    }

    var current: String? {
        guard case .ask(let prompt) = consultation.step else { return nil }
        if case .groupField(_, let field) = prompt.part { return "\(prompt.question.fact).\(field)" }
        if case .groupMore = prompt.part { return "\(prompt.question.fact)+" }
        return prompt.question.fact
    }

    /// Types an answer; returns the re-ask text when it is not accepted.
    @discardableResult
    func type(_ input: String) -> String? {
        switch consultation.answered(input, vocabulary: vocabulary(language)) {
        case .success: return nil
        case .failure(let problem): return Presenter(content: shipped, language: language).problem(problem)
        }
    }

    func typeAll(_ inputs: [String]) {
        for input in inputs {
            if let problem = type(input) { Issue.record("'\(input)' at \(current ?? "end") was refused: \(problem)") }
        }
    }

    /// Intake in `language`, with consent, VKS topic; the applicant is the specialist (`role` "1")
    /// or a relative of one ("2").
    static func vks(language: String = "en", today: String = "2026-11-25", role: String = "1") throws -> Driver {
        let d = try Driver(today: today, language: language)
        d.typeAll([
            ["en": "1", "es": "2", "ru": "3"][language]!, ["en": "yes", "es": "sí", "ru": "да"][language]!, "1", role,
        ])
        return d
    }
}

@Suite struct ConsultationTests {
    @Test func theIntakeLeadsIntoTheVKSTree() throws {
        let d = try Driver()
        #expect(d.current == "language")
        d.typeAll(["Русский"])
        d.language = "ru"
        #expect(d.current == "consent")
        d.typeAll(["да", "1"])
        #expect(d.current == "applicant_role")
        // The introduction is shown before the first VKS question: who is consulting.
        #expect(d.consultation.notes == [.say("vks.intro")])
        d.typeAll(["1"])
        #expect(d.current == "has_vks_work_permit")
    }

    @Test func aFullConsultationInRussianReachesTheOutcomeAndTheClosing() throws {
        let d = try Driver.vks(language: "ru")
        d.typeAll(["1", "31.03.2028", "нет", "нет", "да", "нет", "да", "супруг", "40", "да", "реб", "12", "нет"])
        #expect(d.consultation.outcomes.map(\.id) == ["vks_rp_eligible", "citizenship_path", "family_included"])
        #expect(d.current == "wants_appointment")
        let text = OutcomeText.render(
            d.consultation.outcomes, environment: d.consultation.environment,
            presenter: Presenter(content: shipped, language: "ru"))
        #expect(plainSpaces(text).contains("31 марта 2028 г"))
        #expect(plainSpaces(text).contains("ребёнок (12 лет)"), "\(text)")
    }

    @Test(arguments: [
        ("en", "maybe", "Please answer yes or no."),
        ("es", "quizás", "Responda sí o no, por favor."),
        ("ru", "может быть", "Пожалуйста, ответьте «да» или «нет»."),
    ])
    func aWrongYesNoIsAskedAgainInTheSessionsLanguage(language: String, input: String, reask: String) throws {
        let d = try Driver.vks(language: language)
        d.typeAll(["1", "31.03.2028"])
        #expect(d.current == "contract_terminated")
        #expect(d.type(input) == reask)
        #expect(d.current == "contract_terminated")
        #expect(d.type(["en": "NO", "es": "No", "ru": "Н"][language]!) == nil)
        #expect(d.consultation.answers["contract_terminated"] == .bool(false))
    }

    @Test(arguments: [("en", "Y"), ("en", "yes"), ("es", "Sí"), ("es", "si"), ("es", "s"), ("ru", "Да"), ("ru", "д")])
    func yesWordsOfEachLanguage(language: String, word: String) throws {
        let d = try Driver.vks(language: language)
        d.typeAll(["1", "31.03.2028"])
        #expect(d.type(word) == nil)
        #expect(d.consultation.answers["contract_terminated"] == .bool(true))
    }

    @Test(arguments: [
        ("ru", "2", "applied"), ("ru", "Нет", "none"), ("ru", "заявление", "applied"), ("ru", "да, выдано", "issued"),
        ("es", "3", "none"), ("en", "1", "issued"),
    ])
    func choicesByNumberLabelOrPrefix(language: String, input: String, value: String) throws {
        let d = try Driver.vks(language: language)
        #expect(d.type(input) == nil)
        #expect(d.consultation.answers["has_vks_work_permit"] == .choice(value))
    }

    @Test func anAmbiguousOrUnknownChoiceIsExplained() throws {
        let d = try Driver.vks(language: "ru")
        d.typeAll(["1", "31.03.2028", "нет", "нет", "нет", "нет", "да"])
        #expect(d.current == "family_members.relation")
        let ambiguous = try #require(d.type("д"))  // дедушка… only; "Д" also starts nothing else
        _ = ambiguous
        let unknown = try #require(d.type("кузен"))
        #expect(unknown.hasPrefix("Пожалуйста, укажите номер или название одного из вариантов: 1 — Супруг (супруга)"))
        #expect(d.type("7") != nil)
        #expect(d.current == "family_members.relation")
    }

    @Test(arguments: [
        ("en", "30.02.2028", "Please enter a date"),
        ("ru", "2028/13/01", "Пожалуйста, введите дату"),
        ("es", "mañana", "Introduzca una fecha"),
    ])
    func anImpossibleDateIsAskedAgain(language: String, input: String, start: String) throws {
        let d = try Driver.vks(language: language)
        d.typeAll(["1"])
        let problem = try #require(d.type(input))
        #expect(problem.contains(start) || problem.hasPrefix(start), "\(problem)")
        #expect(d.current == "work_permit_expires")
    }

    @Test func aTerminationDateInTheFutureIsRefusedWithTheLimit() throws {
        let d = try Driver.vks(language: "ru", today: "2026-11-25")
        d.typeAll(["1", "31.03.2028", "да"])
        let problem = try #require(d.type("01.12.2026"))
        #expect(plainSpaces(problem).contains("25 ноября 2026 г"), "\(problem)")
        #expect(d.type("25.11.2026") == nil)
    }

    @Test func anAgeOutOfRangeIsRefused() throws {
        let d = try Driver.vks(language: "es")
        d.typeAll(["1", "31.03.2028", "no", "no", "no", "no", "sí", "1"])
        #expect(d.current == "family_members.age")
        let problem = try #require(d.type("130"))
        #expect(problem.contains("0") && problem.contains("120"), "\(problem)")
        #expect(try #require(d.type("doce")).contains("120"))
    }

    @Test func backRemovesTheLastAnswerOnly() throws {
        let d = try Driver.vks()
        d.typeAll(["1", "31.03.2028", "yes"])
        #expect(d.current == "termination_date")
        let step148 = d.consultation.wentBack()
        #expect(step148 == .answer(fact: "contract_terminated", value: .bool(true)))
        #expect(d.current == "contract_terminated")
        #expect(d.consultation.answers["work_permit_expires"] == .date(date("2028-03-31")))
        let step151 = d.consultation.wentBack()
        #expect(step151 == .answer(fact: "work_permit_expires", value: .date(date("2028-03-31"))))
        #expect(d.current == "work_permit_expires")
    }

    @Test func backInsideTheFamilyListStepsThroughItsParts() throws {
        let d = try Driver.vks()
        d.typeAll(["1", "31.03.2028", "no", "no", "no", "no", "yes", "spouse", "40"])
        #expect(d.current == "family_members+")
        _ = d.consultation.wentBack()
        #expect(d.current == "family_members.age")
        d.typeAll(["41", "no"])
        #expect(d.current == "wants_appointment")
        // Back from the finished list reopens it at "add another?" with the item kept.
        let step164 = d.consultation.wentBack()
        #expect(step164 != nil)
        #expect(d.current == "family_members+")
        d.typeAll(["yes", "child", "17", "no"])
        guard case .list(let items)? = d.consultation.answers["family_members"] else {
            Issue.record("no family list")
            return
        }
        #expect(items.map { $0["age"] } == [.int(41), .int(17)])
        #expect(items.map { $0["included"] } == [.bool(true), .bool(true)])
    }

    @Test func changingAnAnswerDropsWhatNoLongerAppliesAndKeepsTheRest() throws {
        let d = try Driver.vks()
        d.typeAll(["1", "31.03.2028", "yes", "01.11.2026", "no", "no", "yes", "no", "no"])
        #expect(d.consultation.outcomes.map(\.id) == ["grace_period_active", "citizenship_path"])
        let step179 = d.consultation.changeRequested("has_vks_work_permit")
        #expect(step179)
        #expect(d.current == "has_vks_work_permit")
        let result = d.consultation.answered("2", vocabulary: vocabulary("en"))
        let answered = try result.get()
        #expect(answered.previous == .choice("issued"))
        #expect(answered.value == .choice("applied"))
        #expect(
            Set(answered.dropped.keys) == [
                "work_permit_expires", "contract_terminated", "termination_date", "new_contract_signed",
                "holds_vks_residence_permit",
            ])
        // Still on the way: kept, not asked again.
        #expect(d.consultation.answers["wants_citizenship"] == .bool(true))
        #expect(d.consultation.answers["family_members"] == .list([]))
        #expect(d.current == "wants_appointment")
        #expect(d.consultation.outcomes.map(\.id) == ["vks_rp_after_work_permit", "citizenship_path"])
    }

    @Test func changingToAnAnswerThatOpensNewQuestionsAsksThemAndKeepsLaterAnswers() throws {
        let d = try Driver.vks()
        d.typeAll(["1", "31.03.2028", "no", "no", "yes", "no", "no"])
        let step196 = d.consultation.changeRequested("contract_terminated")
        #expect(step196)
        d.typeAll(["yes"])
        #expect(d.current == "termination_date")
        #expect(d.consultation.answers["wants_citizenship"] == .bool(true))
        d.typeAll(["20.11.2026", "no"])
        #expect(d.current == "wants_appointment")
        #expect(d.consultation.outcomes.map(\.id) == ["grace_period_active", "citizenship_path"])
        #expect(d.consultation.environment.value("grace_days_left") == .int(25))
    }

    @Test func cancellingAChangeRestoresTheAnswer() throws {
        let d = try Driver.vks()
        d.typeAll(["1", "31.03.2028", "no"])
        let step209 = d.consultation.changeRequested("work_permit_expires")
        #expect(step209)
        #expect(d.current == "work_permit_expires")
        d.consultation.changeCancelled()
        #expect(d.consultation.answers["work_permit_expires"] == .date(date("2028-03-31")))
        #expect(d.current == "holds_vks_residence_permit")
    }

    @Test func whyNamesTheAnswersThatLedToAnOutcome() throws {
        let d = try Driver.vks()
        d.typeAll(["1", "31.03.2028", "yes", "01.11.2026", "no", "no", "no", "no", "no"])
        let grace = try #require(d.consultation.outcomes.first { $0.id == "grace_period_active" })
        let facts = d.consultation.why(grace).map(\.fact)
        #expect(
            facts == [
                "applicant_role", "has_vks_work_permit", "work_permit_expires", "contract_terminated",
                "termination_date", "new_contract_signed",
            ])
    }

    @Test func withoutConsentNoNameOrContactIsAsked() throws {
        let d = try Driver()
        d.typeAll(["1", "no", "prices"])
        #expect(d.current == nil)
        #expect(d.consultation.outcomes.map(\.id) == ["prices_on_request"])
        #expect(d.consultation.notes.contains(.say("closing.no_consent")))
    }

    @Test func theStateIsItsAnswers() throws {
        let d = try Driver.vks()
        d.typeAll(["1", "31.03.2028", "yes", "01.11.2026"])
        let replay = try Consultation(
            dialogs: shipped.dialogs, today: date("2026-11-25"), answers: d.consultation.answers)
        guard case .ask(let prompt) = replay.step else {
            Issue.record("the replay finished")
            return
        }
        #expect(prompt.question.fact == "new_contract_signed")
    }

    @Test(arguments: [
        ("ru", "не более 100 символов"),
        ("es", "100 caracteres"),
        ("en", "100 characters"),
    ])
    func aTooLongNameIsRefusedAndAnOptionalContactMayBeSkipped(language: String, limit: String) throws {
        let d = try Driver.vks(language: language)
        let yes = ["en": "yes", "es": "sí", "ru": "да"][language]!
        d.typeAll(["3"])  // no work permit: nothing else can change the outcome
        #expect(d.current == "wants_appointment")
        d.typeAll([yes])
        #expect(d.current == "applicant_name")
        let problem = try #require(d.type(String(repeating: "Я", count: 101)))
        #expect(plainSpaces(problem).contains(limit), "\(problem)")
        let empty = try #require(d.type("   "))
        #expect(empty == Presenter(content: shipped, language: language).text("answer.empty"))
        d.typeAll(["Иван Петров", "3"])  // contact by messenger
        #expect(d.current == "contact_phone")
        // The preferred contact is required and checked.
        #expect(d.type("") == Presenter(content: shipped, language: language).text("answer.empty"))
        #expect(d.type("12-34") == Presenter(content: shipped, language: language).text("answer.expected_phone"))
        #expect(d.type("+7 (916) 123-45-67") == nil)
        #expect(d.current == "contact_messenger")
        #expect(d.type("") == nil)  // optional: Enter skips it
        #expect(d.consultation.answers["contact_messenger"] == .text(""))
        // Shown back (the request's review, the staff view) as "not given", never a blank.
        let shown = Presenter(content: shipped, language: language).format(.text(""), fact: "contact_messenger")
        #expect(shown == ["en": "not given", "es": "sin respuesta", "ru": "не указано"][language])
        #expect(d.current == "meeting_format")
    }

    @Test func anEmailContactIsChecked() throws {
        let d = try Driver.vks(language: "es")
        d.typeAll(["3", "sí", "Ana", "2"])
        #expect(d.current == "contact_email")
        #expect(d.type("ana@") == Presenter(content: shipped, language: "es").text("answer.expected_email"))
        #expect(d.type("ana en correo.es") != nil)
        #expect(d.type("ana@correo.es") == nil)
        #expect(d.current == "meeting_format")
    }
}
