import ConsultContent
import ConsultEngine
import ConsultLocalization

extension Presenter {
    /// A message of the conversation, written in this presenter's language.
    public func text(_ message: Message) -> String {
        text(message.key, message.arguments.mapValues(argument))
    }

    private func argument(_ term: Term) -> Argument {
        switch term {
        case .number(let n): return .number(n)
        case .text(let s): return .text(s)
        case .factName(let fact): return .text(factName(fact))
        case .factNames(let facts): return .list(facts.map(factName))
        case .value(let value, let fact): return .text(format(value, fact: fact))
        case .outcomeTitle(let id): return .text(outcomeTitle(id))
        case .date(let date): return .date(date)
        case .item(let record, let fact):
            guard case .group(let group)? = content.dialogs.question(for: fact)?.kind else { return .text("") }
            return .text(item(record, record: group.recordType, group: group))
        }
    }
}
