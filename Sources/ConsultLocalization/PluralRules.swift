import Foundation

/// CLDR plural rules for whole numbers, written in the locale file in CLDR's own syntax
/// (`i % 10 = 2..4 and i % 100 != 12..14`), so a new language needs no code.
///
/// Operands: `n` and `i` are the number, `v`, `w`, `f`, `t`, `e` are 0 (no fraction digits).
public struct PluralRules: Sendable {
    public struct Rule: Sendable {
        public let category: String
        let condition: [[Relation]]  // or of ands
    }

    struct Relation: Sendable {
        let operand: Character
        let modulus: Int?
        let negated: Bool
        let ranges: [ClosedRange<Int>]
    }

    public let rules: [Rule]

    /// The categories this language distinguishes, `other` last.
    public var categories: [String] { rules.map(\.category) + ["other"] }

    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// Parses `category: condition` pairs; `other` needs no condition.
    public init(_ conditions: [(category: String, condition: String)]) throws(PluralRuleError) {
        var rules: [Rule] = []
        for (category, text) in conditions where category != "other" {
            guard ["zero", "one", "two", "few", "many"].contains(category) else {
                throw PluralRuleError(
                    category: category,
                    message: "unknown plural category '\(category)' (CLDR has zero, one, two, few, many, other)")
            }
            rules.append(Rule(category: category, condition: try PluralRules.parse(text, category: category)))
        }
        self.rules = rules
    }

    /// The category of a whole number: "one", "few", "many", "other"...
    public func category(for number: Int) -> String {
        let n = number.magnitude  // abs(Int.min) traps; the magnitude of every Int fits a UInt
        for rule in rules where rule.condition.contains(where: { $0.allSatisfy { $0.holds(for: n) } }) {
            return rule.category
        }
        return "other"
    }

    private static func parse(_ text: String, category: String) throws(PluralRuleError) -> [[Relation]] {
        // Sample lists ("@integer 1, 21, ...") may follow the condition in CLDR data: ignore them.
        let condition =
            text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        var result: [[Relation]] = []
        for orPart in condition.components(separatedBy: " or ") {
            var ands: [Relation] = []
            for relation in orPart.components(separatedBy: " and ") {
                ands.append(try parseRelation(relation, category: category))
            }
            result.append(ands)
        }
        return result
    }

    private static func parseRelation(_ text: String, category: String) throws(PluralRuleError) -> Relation {
        func fail() -> PluralRuleError {
            PluralRuleError(
                category: category,
                message:
                    "cannot read the plural rule '\(text.trimmingCharacters(in: .whitespaces))': expected e.g. 'i % 10 = 2..4'"
            )
        }
        let negated = text.contains("!=")
        let sides = text.components(separatedBy: negated ? "!=" : "=")
        guard sides.count == 2 else { throw fail() }
        let left = sides[0].split(separator: "%").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let operandText = left.first, operandText.count == 1, let operand = operandText.first,
            "nivwfte".contains(operand)
        else { throw fail() }
        var modulus: Int? = nil
        if left.count == 2 {
            guard let m = Int(left[1]), m > 0 else { throw fail() }
            modulus = m
        } else if left.count > 2 {
            throw fail()
        }
        var ranges: [ClosedRange<Int>] = []
        for item in sides[1].split(separator: ",") {
            let bounds = item.components(separatedBy: "..").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let low = Int(bounds[0]) else { throw fail() }
            if bounds.count == 2 {
                guard let high = Int(bounds[1]), high >= low else { throw fail() }
                ranges.append(low...high)
            } else if bounds.count == 1 {
                ranges.append(low...low)
            } else {
                throw fail()
            }
        }
        guard !ranges.isEmpty else { throw fail() }
        return Relation(operand: operand, modulus: modulus, negated: negated, ranges: ranges)
    }
}

extension PluralRules.Relation {
    func holds(for n: UInt) -> Bool {
        var value = (operand == "n" || operand == "i") ? n : 0
        if let modulus { value %= UInt(modulus) }  // modulus > 0, checked when the rule is read
        // A value beyond Int.max (only Int.min's magnitude) is in no range a rule can write.
        let inRange = Int(exactly: value).map { v in ranges.contains { $0.contains(v) } } ?? false
        return inRange != negated
    }
}

public struct PluralRuleError: Error, Hashable, Sendable {
    public let category: String
    public let message: String
}
