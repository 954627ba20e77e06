import ConsultEngine
import ConsultLocalization

/// Rules of the question trees (`dialogs/*.yaml`), checked by `DialogLoader`.
public enum DialogRule: String, DiagnosticRule {
    case noDialogs = "no-dialogs"
    case dialogShape = "dialog-shape"
    case duplicateDialog = "duplicate-dialog"
    case badName = "bad-name"
    case stepShape = "step-shape"
    case unknownStepKind = "unknown-step-kind"
    case duplicateField = "duplicate-field"
    case expressionSyntax = "expression-syntax"
    case expressionType = "expression-type"
    case typeMismatch = "type-mismatch"
    case unknownType = "unknown-type"
    case nestedGroup = "nested-group"
    case duplicateChoice = "duplicate-choice"
    case badRange = "bad-range"
    case noStart = "no-start"
    case severalStarts = "several-starts"
    case duplicateFact = "duplicate-fact"
    case duplicateID = "duplicate-id"
    case loop = "loop"
    case danglingReference = "dangling-reference"
    case unreachable = "unreachable"
    case appointmentUrgent = "appointment-urgent"
    case factRole = "fact-role"
    case timeZone = "time-zone"

    public var severity: Diagnostic.Severity {
        switch self {
        case .unreachable: .warning
        default: .error
        }
    }
}

/// What can be wrong in the question trees; `suggestion` is the name that was probably meant.
public enum DialogProblem: DiagnosticMessage, Hashable {
    case noDialogs
    case dialogShape
    case duplicateDialog(String, alsoIn: String)
    case badName(String, what: String)
    case stepNotMapping(kinds: [String])
    case stepKinds(found: [String])
    case unknownStepKind(String, kinds: [String], suggestion: String?)
    case duplicateField(String)
    case expressionSyntax(String)
    /// The expression checker's sentence.
    case expressionType(String)
    case factTypeConflict(fact: String, elsewhere: ValueType, here: ValueType)
    case typeMismatch(what: String, expected: ValueType, found: ValueType)
    case unknownQuestionType(String, suggestion: String?)
    case unknownTextFormat(String, formats: [String])
    case nestedGroup
    case duplicateChoice(String)
    case minAboveMax(min: Int, max: Int)
    case maxLengthBelowOne
    case noStart
    case severalStarts(first: String)
    case factAskedTwice(String, first: SourceLocation)
    case groupFieldAskedTwice(String)
    case letSetsQuestionFact(String)
    case duplicateStepID(String)
    case gotoBackwards(target: String)
    case dialogLoop(from: String, backTo: String)
    case unknownGotoTarget(String, suggestion: String?)
    case unknownNext(String, suggestion: String?)
    case appointmentFactNotAsked(String)
    case dialogNeverReached(String)
    case stepNeverReached
    /// `roles:` or `time_zone:` in a dialog other than the start dialog.
    case officeOutsideStart(field: String)
    case unknownRole(String, roles: [String])
    case roleFactNotAsked(role: String, fact: String)
    case roleFactType(role: String, fact: String, expected: String, found: ValueType)
    case unknownTimeZone(String)
    case urgentNotYesNo(String, found: String)

    public var rule: DialogRule {
        switch self {
        case .noDialogs: .noDialogs
        case .dialogShape: .dialogShape
        case .duplicateDialog: .duplicateDialog
        case .badName: .badName
        case .stepNotMapping, .stepKinds: .stepShape
        case .unknownStepKind: .unknownStepKind
        case .duplicateField: .duplicateField
        case .expressionSyntax: .expressionSyntax
        case .expressionType: .expressionType
        case .factTypeConflict, .typeMismatch: .typeMismatch
        case .unknownQuestionType, .unknownTextFormat: .unknownType
        case .nestedGroup: .nestedGroup
        case .duplicateChoice: .duplicateChoice
        case .minAboveMax, .maxLengthBelowOne: .badRange
        case .noStart: .noStart
        case .severalStarts: .severalStarts
        case .factAskedTwice, .groupFieldAskedTwice, .letSetsQuestionFact: .duplicateFact
        case .duplicateStepID: .duplicateID
        case .gotoBackwards, .dialogLoop: .loop
        case .unknownGotoTarget, .unknownNext, .appointmentFactNotAsked: .danglingReference
        case .dialogNeverReached, .stepNeverReached: .unreachable
        case .urgentNotYesNo: .appointmentUrgent
        case .officeOutsideStart, .unknownRole, .roleFactNotAsked, .roleFactType: .factRole
        case .unknownTimeZone: .timeZone
        }
    }

    public var message: String {
        switch self {
        case .noDialogs:
            "no dialog files (*.yaml) found"
        case .dialogShape:
            "a dialog file is a mapping with 'dialog', 'nodes' and optionally 'start' and 'next'"
        case .duplicateDialog(let name, let path):
            "the dialog '\(name)' is also defined in \(path)"
        case .badName(let name, let what):
            "'\(name)' is not a valid \(what): use lower-case letters, digits and _"
        case .stepNotMapping(let kinds):
            "a step is a mapping starting with one of: \(kinds.joined(separator: ", "))"
        case .stepKinds(let found):
            "a step has exactly one kind, found \(found.joined(separator: " and "))"
        case .unknownStepKind(let found, let kinds, let suggestion):
            "unknown kind of step '\(found)' (expected one of: \(kinds.joined(separator: ", ")))\(didYouMean(suggestion))"
        case .duplicateField(let name):
            "the field '\(name)' is written twice"
        case .expressionSyntax(let problem), .expressionType(let problem):
            problem
        case .factTypeConflict(let fact, let elsewhere, let here):
            "'\(fact)' is \(elsewhere) elsewhere but this value is \(here)"
        case .typeMismatch(let what, let expected, let found):
            "\(what) must be \(expected), but this is \(found)"
        case .unknownQuestionType(let found, let suggestion):
            "unknown question type '\(found)' (expected choice, yesno, number, date, text or group)\(didYouMean(suggestion))"
        case .unknownTextFormat(let found, let formats):
            "unknown text format '\(found)' (expected \(formats.joined(separator: " or ")))"
        case .nestedGroup:
            "a group cannot hold another group"
        case .duplicateChoice(let value):
            "the value '\(value)' is offered twice"
        case .minAboveMax(let min, let max):
            "min (\(min)) is greater than max (\(max))"
        case .maxLengthBelowOne:
            "max_length must be at least 1"
        case .noStart:
            "no dialog is marked 'start: true'"
        case .severalStarts(let first):
            "more than one dialog is marked 'start: true' (also \(first))"
        case .factAskedTwice(let fact, let first):
            "the fact '\(fact)' is already asked at \(first)"
        case .groupFieldAskedTwice(let field):
            "the field '\(field)' is asked twice in this group"
        case .letSetsQuestionFact(let fact):
            "'\(fact)' is a question's fact; a 'let' cannot set it too"
        case .duplicateStepID(let id):
            "the step id '\(id)' is used twice in this dialog"
        case .gotoBackwards(let target):
            "goto '\(target)' goes back to an earlier step: a loop that cannot end (the walk would pass the same answered questions forever)"
        case .dialogLoop(let from, let backTo):
            "'\(from)' leads back to '\(backTo)': a loop that cannot end"
        case .unknownGotoTarget(let target, let suggestion):
            "goto '\(target)': no dialog or step of this dialog has that name\(didYouMean(suggestion))"
        case .unknownNext(let name, let suggestion):
            "next '\(name)': no dialog has that name\(didYouMean(suggestion))"
        case .appointmentFactNotAsked(let fact):
            "the appointment names '\(fact)', which no question asks"
        case .dialogNeverReached(let name):
            "the dialog '\(name)' is never reached: no goto or next leads to it"
        case .stepNeverReached:
            "this step can never be reached (an earlier goto always jumps past it)"
        case .officeOutsideStart(let field):
            "'\(field)' belongs in the start dialog (the one with 'start: true'), where the consultation begins"
        case .unknownRole(let role, let roles):
            "unknown role '\(role)' (expected: \(roles.joined(separator: ", ")))"
        case .roleFactNotAsked(let role, let fact):
            "the role '\(role)' names '\(fact)', which no question of the start dialog asks"
        case .roleFactType(let role, let fact, let expected, let found):
            "the role '\(role)' needs \(expected), and '\(fact)' is \(found)"
        case .unknownTimeZone(let name):
            "'\(name)' is not a time zone this machine knows (expected an IANA name such as Europe/Moscow)"
        case .urgentNotYesNo(let fact, let found):
            "the appointment's 'urgent' must name a yes/no fact, and '\(fact)' is \(found)"
        }
    }
}

/// "; did you mean 'x'?" after a name nobody defined, when one defined name is close to it.
func didYouMean(_ suggestion: String?) -> String {
    suggestion.map { "; did you mean '\($0)'?" } ?? ""
}
