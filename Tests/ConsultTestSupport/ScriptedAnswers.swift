/// The date the scripted consultations run on (`--today`): a 31.03.2028 work permit is in force.
public let testToday = "2026-11-25"

/// One line an applicant types, and the question it leads to: the key of its message.
public struct ScriptedAnswer: Sendable {
    public let typed: String
    public let next: String

    public init(_ typed: String, _ next: String) {
        self.typed = typed
        self.next = next
    }
}

/// The Russian consultation the terminal and SSH tests type, in parts (a part starts where the
/// one before it stopped): Русский, consent, the VKS topic as the specialist, a work permit issued
/// until 31.03.2028, and then either citizenship and a spouse of 40 or an appointment request.
/// The question order is that of `dialogs/intake.yaml` and `dialogs/vks_residence_permit.yaml`.
public enum RussianConsultation {
    /// Русский, consent да, topic 1 (VKS), role 1 (the specialist): stops at the work-permit question.
    public static let toPermitQuestion = [
        ScriptedAnswer("3", "intake.consent.prompt"),
        ScriptedAnswer("да", "intake.topic.prompt"),
        ScriptedAnswer("1", "vks.applicant_role.prompt"),
        ScriptedAnswer("1", "vks.has_vks_work_permit.prompt"),
    ]

    /// Issued, valid until 31.03.2028: stops at the question about the contract.
    public static let permitIssued = [
        ScriptedAnswer("1", "vks.work_permit_expires.prompt"),
        ScriptedAnswer("31.03.2028", "vks.contract_terminated.prompt"),
    ]

    /// The contract in force, no VKS residence permit yet, citizenship wanted, a spouse of 40:
    /// stops at the appointment question, after the outcome.
    public static let citizenshipAndSpouse = [
        ScriptedAnswer("нет", "vks.holds_vks_residence_permit.prompt"),
        ScriptedAnswer("нет", "vks.wants_citizenship.prompt"),
        ScriptedAnswer("да", "vks.wants_independent_permit.prompt"),
        ScriptedAnswer("нет", "vks.family.prompt"),
        ScriptedAnswer("да", "vks.family.relation.prompt"),
        ScriptedAnswer("супруг", "vks.family.age.prompt"),
        ScriptedAnswer("40", "vks.family.more"),
        ScriptedAnswer("нет", "closing.wants_appointment.prompt"),
    ]

    /// No to each of the remaining VKS questions: stops at the appointment question.
    public static let noToTheRest = [
        ScriptedAnswer("нет", "vks.holds_vks_residence_permit.prompt"),
        ScriptedAnswer("нет", "vks.wants_citizenship.prompt"),
        ScriptedAnswer("нет", "vks.wants_independent_permit.prompt"),
        ScriptedAnswer("нет", "vks.family.prompt"),
        ScriptedAnswer("нет", "closing.wants_appointment.prompt"),
    ]

    /// An appointment wanted, by Анна Смирнова, by phone, on a Friday morning: stops at her
    /// question for the lawyer.
    public static let appointmentByPhone = [
        ScriptedAnswer("да", "closing.applicant_name.prompt"),
        ScriptedAnswer("Анна Смирнова", "closing.contact_method.prompt"),
        ScriptedAnswer("1", "closing.contact_phone.prompt"),
        ScriptedAnswer("+7 916 123-45-67", "closing.meeting_format.prompt"),
        ScriptedAnswer("3", "closing.preferred_time.prompt"),
        ScriptedAnswer("пятница, утро", "closing.applicant_question.prompt"),
    ]
}

/// The answers of a short English consultation with an appointment request, one a line (NAME is
/// replaced by each applicant's own): for consultations run side by side, through pipes or ssh.
public enum EnglishConsultation {
    public static let withAppointmentRequest = [
        "1", "yes", "1", "1",  // English, consent, VKS, the specialist
        "1", "31.03.2028", "no", "no",  // issued, expires, not terminated, no VKS residence permit yet
        "yes", "no", "no",  // citizenship yes, independent no, no family
        "yes", "Applicant NAME", "2", "applicant@example.com", "1", "Mondays", "",
        "yes",  // the request is right: send it
    ]
}
