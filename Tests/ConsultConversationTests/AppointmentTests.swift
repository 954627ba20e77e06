import ConsultContent
import ConsultConversation
import ConsultEngine
import ConsultRecords
import Testing

/// The appointment request's review, its saving (done by the caller), and records that fail or fill up.
@Suite struct AppointmentTests {
    /// A conversation with its transcript open, at the review of the request.
    func atTheReview() throws -> (Transcript, [Effect]) {
        var t = try Transcript(records: .kept)
        _ = t.start()
        let effects = t.answer(toTheReview)
        return (t, effects)
    }

    @Test func theRequestIsShownForReviewNumberedWithoutCompletion() throws {
        let (_, effects) = try atTheReview()
        #expect(
            Array(effects.suffix(6)) == [
                .gap, .show(Message("appointment.summary_heading"), .heading),
                .answers(
                    [
                        FactValue("applicant_name", .text("John Smith")), FactValue("contact_method", .choice("phone")),
                        FactValue("contact_phone", .text("+7 916 123-45-67")),
                        FactValue("meeting_format", .choice("phone")),
                        FactValue("preferred_time", .text("Tuesday afternoon")),
                        FactValue("applicant_question", .text("")),
                    ], .numbered),
                .confirmation("appointment.confirm"), .complete(nil), .read(Reading(prompt: "> ")),
            ])
        // Nothing of the closing words before the review.
        #expect(!effects.keys.contains("closing.appointment_next"))
    }

    @Test func withoutRecordsThereIsNoReview() throws {
        var t = try Transcript(records: .none)
        _ = t.start()
        let effects = t.answer(toTheReview)
        #expect(!effects.keys.contains("appointment.summary_heading"))
        #expect(effects.keys.suffix(2) == ["closing.appointment_next", "closing.thanks"])
        #expect(effects.wait == .end(.completed))
    }

    @Test func confirmedTheRequestIsSavedThenTheClosingWords() throws {
        var (t, _) = try atTheReview()
        let confirmed = t.type("yes")
        guard case .save(let draft)? = confirmed.wait else {
            Issue.record("\(confirmed)")
            return
        }
        #expect(confirmed == [.save(draft)])
        #expect(draft.language == "en" && draft.outcomes == ["vks_rp_eligible"] && !draft.urgent)
        #expect(
            draft.applicant == [
                "applicant_name": .text("John Smith"), "contact_method": .choice("phone"),
                "contact_phone": .text("+7 916 123-45-67"),
            ])
        #expect(
            draft.preferences == ["meeting_format": .choice("phone"), "preferred_time": .text("Tuesday afternoon")])
        #expect(draft.question == nil)
        let request = saved(draft)
        let effects = t.send(.appointmentSaved(request))
        #expect(
            Array(effects.prefix(3)) == [
                .record(.appointment(.init(reference: "TEST-0001", requestHash: nil))), .gap,
                .show(Message("appointment.saved", ["reference": .text("TEST-0001")]), .heading),
            ])
        #expect(effects.keys == ["appointment.saved", "closing.appointment_next", "closing.thanks"])
        #expect(effects.wait == .end(.completed))
        guard case .end(let end)? = effects.records.last else { return }
        #expect(
            end.reason == "completed" && end.outcomes == ["vks_rp_eligible"]
                && end.facts["applicant_name"] == .text("John Smith"))
        #expect(t.conversation.appointment == request && !t.conversation.recordsLost)
    }

    @Test func anItemCorrectedIsAskedAgainThenTheReviewComesBack() throws {
        var (t, _) = try atTheReview()
        let corrected = t.type("2")
        #expect(corrected.records.first == .command(.init(name: "correct", input: "2")))
        #expect(corrected.question?.fact == "contact_method")
        _ = t.type("2")  // e-mail now
        let review = t.type("hello@example.com")
        #expect(review.keys.suffix(2) == ["appointment.summary_heading", "appointment.confirm"])
        #expect(
            review.contains { effect in
                if case .answers(let items, .numbered) = effect {
                    return items.contains(FactValue("contact_email", .text("hello@example.com")))
                }
                return false
            })
        #expect(t.conversation.consultation.answers["contact_phone"] == nil)
    }

    @Test func declinedTheReviewAsksForANumberAndShowsItAgain() throws {
        var (t, _) = try atTheReview()
        let declined = t.type("no")
        #expect(declined.keys == ["ui.change.prompt", "appointment.summary_heading", "appointment.confirm"])
        #expect(
            t.type("maybe").keys == ["answer.expected_yesno", "appointment.summary_heading", "appointment.confirm"])
        #expect(t.send(.interrupt).keys == ["appointment.summary_heading", "appointment.confirm"])
    }

    @Test func ctrlDAtTheReviewAsksBeforeLeaving() throws {
        var (t, _) = try atTheReview()
        #expect(t.send(.endOfInput(interactive: true, connected: true)).keys == ["ui.quit.confirm"])
        #expect(t.type("no").keys == ["appointment.summary_heading", "appointment.confirm"])  // no "let us continue"
        _ = t.send(.endOfInput(interactive: true, connected: true))
        #expect(t.type("yes").wait == .end(.quit))
        var signalled = try atTheReview().0
        #expect(signalled.send(.stopped(.interrupted)).wait == .end(.interrupted))
    }

    @Test func aRequestNotSavedIsSaidAndTheClosingWordsAboutItAreNot() throws {
        var (t, _) = try atTheReview()
        _ = t.type("yes")
        let effects = t.send(.appointmentNotSaved("disk full"))
        #expect(
            Array(effects.prefix(2)) == [
                .record(.appointmentFailed(.init(error: "disk full"))),
                .show(Message("appointment.not_saved"), .problem),
            ])
        // Nothing of the closing dialog: it speaks of the request; the office's contacts were in `not_saved`.
        #expect(effects.keys == ["appointment.not_saved"])
        #expect(effects.wait == .end(.completed))
        #expect(t.conversation.recordsLost)
    }

    // MARK: - Records that fail or fill up

    @Test func recordsUnavailableFromTheStartAreSaidAndNoConsentIsAsked() throws {
        var t = try Transcript(records: .unavailable)
        let effects = t.start()
        #expect(
            effects.keys == [
                "app.title", "app.welcome", "ui.help.hint", "records.unavailable", "intake.language.prompt",
            ])
        _ = t.type("1")
        #expect(t.conversation.consultation.answers["consent"] == .bool(false))
        #expect(t.conversation.recordsLost)
    }

    @Test func recordsFailingMidwayAreSaidOnceAndTheClosingWordsChange() throws {
        var t = try Transcript(records: .kept)
        _ = t.start()
        t.answer(Array(toTheVKSOutcome.prefix(3)))
        // Reported by the caller right after the record that failed.
        #expect(t.conversation.received(.recordsFailed) == [.gap, .show(Message("records.failed"), .problem)])
        #expect(t.conversation.received(.recordsFailed).isEmpty)
        let end = t.answer(Array(toTheVKSOutcome.dropFirst(3)))
        // No appointment without consent, no words about consent or what the lawyer will read: the
        // office's contacts instead.
        #expect(!end.keys.contains { $0.hasPrefix("closing.") })
        #expect(end.keys.last == "records.closing")
        #expect(end.wait == .end(.completed))
        #expect(t.conversation.recordsLost)
    }

    /// A batch ends after a record whose failure changes what follows: the caller's report comes first.
    @Test func aRecordThatFailsAtTheNameStopsTheRequest() throws {
        var t = try Transcript(records: .kept)
        _ = t.start()
        t.answer(toTheVKSOutcome + ["yes"])
        #expect(t.conversation.received(.line("John Smith")).recordKinds == ["answer"])
        #expect(t.conversation.received(.recordsFailed).keys == ["records.failed"])
        let after = t.proceed()
        #expect(!after.keys.contains("closing.contact_method.prompt"))
        #expect(!after.keys.contains("appointment.summary_heading"))
        #expect(after.keys.last == "records.closing")
    }

    @Test func theRecordLimitReachedAtAQuestionEndsBeforeItsAnswerIsRead() throws {
        var c = try Conversation(content: content, today: today, language: "en", records: .kept)
        _ = c.next()  // the greeting
        #expect(c.next().recordKinds == ["question"])
        #expect(c.received(.recordLimitReached).isEmpty)
        #expect(
            c.next() == [
                .gap, .show(Message("records.limit"), .problem), .record(.end(.init(reason: "record_limit"))),
                .end(.recordLimit),
            ])
    }

    @Test func theRecordLimitReachedByACommandEndsAfterItsPrompt() throws {
        var t = try Transcript(records: .kept)
        _ = t.start()
        #expect(t.conversation.received(.line("/quit")).recordKinds == ["command"])
        #expect(t.conversation.received(.recordLimitReached).isEmpty)
        let effects = t.proceed()
        #expect(effects.keys == ["ui.quit.confirm", "ui.continue", "records.limit"])
        #expect(effects.wait == .end(.recordLimit))
    }

    @Test func everyEndReasonHasTheLawyersWordsInEveryLanguage() throws {
        for reason in EndReason.allCases {
            for language in content.localizer.languages {
                let key = MessageKey("staff.reason.\(reason.rawValue)")
                #expect(content.localizer.catalog(language)?.messages[key] != nil, "\(language): \(key)")
            }
        }
    }
}
