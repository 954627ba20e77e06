import ConsultContent
import ConsultEngine

extension Conversation {
    /// The commands, typed `/name` (English or the session language's word) or as a bare word of
    /// the session's language.
    public enum Command: String, CaseIterable, Sendable {
        case help, back, change, summary, why, language, restart, pause, quit
        /// Hidden: leaves kiosk mode when an operator passphrase is configured.
        case `operator`
        /// A slash word that is no command.
        case unknown

        /// The commands the help lists.
        public static var listed: [Command] {
            [.help, .back, .change, .summary, .why, .language, .restart, .pause, .quit]
        }
    }

    /// The command a line names: `/name` (English or the session language's word), or a bare word of
    /// the session's language. Free-text questions take bare words as answers.
    mutating func command(in line: String, prompt: Consultation.Prompt) -> Command? {
        let lowered = AnswerParser.fold(line)
        let words = content.localizer.catalog(language)?.commands ?? [:]
        if lowered.hasPrefix("/") {
            let word = String(lowered.dropFirst().prefix { !$0.isWhitespace })
            lastCommandWord = "/" + word
            if let c = Command(rawValue: word), c != .operator || options.operatorPassphrase != nil { return c }
            for (name, forms) in words where forms.contains(where: { AnswerParser.fold($0) == word }) {
                return Command(rawValue: name)
            }
            return .unknown
        }
        if case .text = prompt.expected { return nil }
        for (name, forms) in words where forms.contains(where: { AnswerParser.fold($0) == lowered }) {
            return Command(rawValue: name)
        }
        return nil
    }

    /// What follows the command word of a slash command (`/language ru`).
    static func argument(of line: String) -> String? {
        guard line.hasPrefix("/") else { return nil }
        let parts = line.split(separator: " ", maxSplits: 1)
        return parts.count == 2 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : nil
    }

    /// What Tab completes at `prompt`, whose answer is `expected`.
    func completion(for prompt: Consultation.Prompt, expected: Expected) -> Completion {
        var answers: [String] = presenter.choiceLabels(expected)
        if case .yesNo = expected {
            answers += presenter.vocabulary.yesWords.prefix(1) + presenter.vocabulary.noWords.prefix(1)
        }
        let words = content.localizer.catalog(language)?.commands ?? [:]
        let commands =
            Command.listed.map { "/\($0.rawValue)" }
            + words.values.flatMap { $0 }.filter { !$0.hasPrefix("?") }.map { "/\($0)" }
        var bareWords: [String] = []
        if case .text = prompt.expected {} else { bareWords = words.values.flatMap { $0 }.filter { !$0.contains(" ") } }
        return Completion(answers: answers, commands: commands.sorted(), bareWords: bareWords.sorted())
    }
}

/// What Tab completes: the current question's choices (and yes/no words) in the session's
/// language, and the commands.
public struct Completion: Hashable, Sendable {
    /// Answers, in the question's order.
    public var answers: [String]
    /// Slash commands, sorted.
    public var commands: [String]
    /// Command words typed without a slash, sorted (none at a free-text question).
    public var bareWords: [String]

    /// Candidate replacements for the word before the cursor, given the line so far.
    public func candidates(_ line: String) -> [String] {
        let folded = line.lowercased()
        if folded.hasPrefix("/") {
            return commands.filter { $0.hasPrefix(folded) && !folded.contains(" ") }
        }
        let wordStart = line.lastIndex(of: " ").map { line.index(after: $0) } ?? line.startIndex
        let offset = line.distance(from: line.startIndex, to: wordStart)
        let matching = answers.filter { $0.lowercased().hasPrefix(folded) && $0.count >= offset }
            .map { String($0.dropFirst(offset)) }
        // Answers first; command words only when no answer fits.
        return matching.isEmpty && offset == 0 ? bareWords.filter { $0.hasPrefix(folded) } : matching
    }
}
