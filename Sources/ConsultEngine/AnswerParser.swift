import Foundation

/// What the current prompt accepts, with its bounds resolved for this consultation.
public enum Expected: Hashable, Sendable {
    case yesNo
    case choice([Choice])
    case number(min: Int, max: Int)
    case date(min: LocalDate?, max: LocalDate?)
    case text(maxLength: Int, optional: Bool, format: TextFormat? = nil)
}

/// Why a typed answer was not accepted; the front end says it in the session's language.
public enum AnswerProblem: Error, Hashable, Sendable {
    case empty
    case expectedYesNo
    case expectedChoice([Choice])
    case ambiguousChoice([Choice])
    case expectedNumber(min: Int, max: Int)
    case numberOutOfRange(min: Int, max: Int)
    case expectedDate
    /// A slash date that reads as two different days (03/04/2027): which one is meant?
    case ambiguousDate(dayFirst: LocalDate, monthFirst: LocalDate)
    case dateTooEarly(min: LocalDate)
    case dateTooLate(max: LocalDate)
    case textTooLong(maxLength: Int)
    case tooManyItems(maxItems: Int)
    case expectedPhone
    case expectedEmail
}

/// The words of one language that the parser needs: yes/no words and the text of choice labels.
public protocol AnswerVocabulary {
    var yesWords: [String] { get }
    var noWords: [String] { get }
    /// The label of a choice as the applicant reads it in this language.
    func label(_ key: MessageKey) -> String
}

public enum AnswerParser {
    /// Parses what the applicant typed for a prompt that expects `expected`.
    public static func parse(
        _ input: String, as expected: Expected, vocabulary: AnswerVocabulary
    ) -> Result<Value, AnswerProblem> {
        let text = input.trimmingWhitespace()
        if text.isEmpty {
            if case .text(_, optional: true, _) = expected { return .success(.text("")) }
            return .failure(.empty)
        }
        switch expected {
        case .yesNo:
            let folded = fold(text)
            if vocabulary.yesWords.contains(where: { fold($0) == folded }) { return .success(.bool(true)) }
            if vocabulary.noWords.contains(where: { fold($0) == folded }) { return .success(.bool(false)) }
            return .failure(.expectedYesNo)
        case .choice(let choices):
            return parseChoice(text, choices, vocabulary).map { .choice($0.value) }
        case .number(let min, let max):
            guard let n = parseInteger(text) else { return .failure(.expectedNumber(min: min, max: max)) }
            guard min <= n, n <= max else { return .failure(.numberOutOfRange(min: min, max: max)) }
            return .success(.int(n))
        case .date(let min, let max):
            guard let d = LocalDate(parsing: text) else {
                if let readings = LocalDate.ambiguousReadings(of: text) {
                    return .failure(.ambiguousDate(dayFirst: readings.dayFirst, monthFirst: readings.monthFirst))
                }
                return .failure(.expectedDate)
            }
            if let min, d < min { return .failure(.dateTooEarly(min: min)) }
            if let max, d > max { return .failure(.dateTooLate(max: max)) }
            return .success(.date(d))
        case .text(let maxLength, _, let format):
            guard text.count <= maxLength else { return .failure(.textTooLong(maxLength: maxLength)) }
            switch format {
            case .phone?: guard isPhone(text) else { return .failure(.expectedPhone) }
            case .email?: guard isEmail(text) else { return .failure(.expectedEmail) }
            case nil: break
            }
            return .success(.text(text))
        }
    }

    /// A choice by its number (1-based), its label, its value, or an unambiguous start of its label.
    static func parseChoice(
        _ text: String, _ choices: [Choice], _ vocabulary: AnswerVocabulary
    ) -> Result<Choice, AnswerProblem> {
        if let n = parseInteger(text) {
            guard n >= 1, n <= choices.count else { return .failure(.expectedChoice(choices)) }
            return .success(choices[n - 1])
        }
        let folded = fold(text)
        let labels = choices.map { fold(vocabulary.label($0.label)) }
        if let exact = labels.firstIndex(of: folded) { return .success(choices[exact]) }
        if let byValue = choices.first(where: { fold($0.value) == folded }) { return .success(byValue) }
        let prefixed = choices.indices.filter { labels[$0].hasPrefix(folded) }
        if prefixed.count == 1 { return .success(choices[prefixed[0]]) }
        if prefixed.count > 1 { return .failure(.ambiguousChoice(prefixed.map { choices[$0] })) }
        // A word of the label ("permit" for "I have a work permit") when only one label has it.
        let byWord = choices.indices.filter { i in
            labels[i].split(whereSeparator: { !$0.isLetter && !$0.isNumber }).contains { $0.hasPrefix(folded) }
        }
        if byWord.count == 1, folded.count >= 3 { return .success(choices[byWord[0]]) }
        return .failure(.expectedChoice(choices))
    }

    static func isPhone(_ text: String) -> Bool {
        var digits = 0
        for (i, c) in text.enumerated() {
            if c.isASCII && c.isNumber {
                digits += 1
            } else if c == "+" && i == 0 {
                continue
            } else if !" -.()".contains(c) {
                return false
            }
        }
        return (7...15).contains(digits)
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(where: { $0.isWhitespace }) else { return false }
        let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return domain.count >= 2 && domain.allSatisfy { !$0.isEmpty } && (domain.last?.count ?? 0) >= 2
    }

    static func parseInteger(_ text: String) -> Int? {
        // ASCII: what the character-by-character reading below accepts, in the bytes.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var value = 0
            var count = 0
            var negative = false
            for byte in text.utf8 where !(byte == 0x20 || (0x09...0x0D).contains(byte)) {
                // At most nine characters, sign included, as below: stopped before `value` can overflow.
                guard count < 9 else { return nil }
                if count == 0 && byte == UInt8(ascii: "-") {
                    negative = true
                } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                    value = value * 10 + Int(byte - UInt8(ascii: "0"))
                } else {
                    return nil
                }
                count += 1
            }
            guard count > 0, !(negative && count == 1) else { return nil }
            return negative ? -value : value
        }
        let digits = text.filter { !$0.isWhitespace }
        guard !digits.isEmpty, digits.count <= 9,
            digits.allSatisfy({ $0.isASCII && $0.isNumber })
                || (digits.first == "-" && digits.count > 1
                    && digits.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }))
        else {
            return nil
        }
        return Int(digits)
    }

    /// Case- and accent-insensitive form for comparing words: "Sí" = "si", and a Russian yo
    /// equals ye (folding its diaeresis away), as people type them interchangeably.
    public static func fold(_ s: String) -> String {
        let trimmed = s.trimmingWhitespace()
        // ASCII folds to its lower case: no marks, no widths. Foundation's folding costs a bridge
        // to NSString and back, on every answer and every word it is compared with.
        if trimmed.utf8.allSatisfy({ $0 < 0x80 }) {
            guard trimmed.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
                return trimmed
            }
            return String(decoding: trimmed.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
        }
        return trimmed.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }
}
