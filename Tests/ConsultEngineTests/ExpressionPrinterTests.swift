import ConsultEngine
import Testing

/// `Expr.infix` writes conditions readably (the graph shows them); printing then parsing gives the same tree.
@Suite struct ExpressionPrinterTests {
    @Test(arguments: [
        // Written the way a paralegal would, the printer gives them back unchanged.
        "has_vks_work_permit == \"issued\"",
        "permit_in_force and not contract_terminated",
        "permit_in_force and (not contract_terminated or new_contract_signed or today <= grace_deadline)",
        "has_vks_work_permit == \"applied\" or permit_in_force and contract_terminated",
        "relation in [\"spouse\", \"parent\"] or relation == \"child\" and age < 18",
        "relation_to_vks not in [\"other\"]",
        "days_between(today, grace_deadline) <= 10",
        "add_months(add_years(rvp_issued, 3), -4) < today",
        "termination_date + 30 - 1",
        "a - (b - c)",
        "a - (b + c)",
        "-(a + b)",
        "not (a and b)",
        "not not a",
        "not a == b",
        "(a == b) == c",
        "(a or b) and c",
        "any(family_members, not included)",
        "count(filter(family_members, relation == \"child\" and age < 18)) > 0",
        "date(\"2024-01-06\") <= today",
        "'say \"hi\"' == x",
        "x in []",
    ])
    func readableConditionsPrintAsWritten(_ text: String) throws {
        let e = try parse(text)
        #expect(e.infix == text)
        #expect(sexp(try parse(e.infix)) == sexp(e))
    }

    @Test(arguments: [
        ("((a))", "a"),
        ("(a and b) and c", "a and b and c"),
        ("a and (b and c)", "a and (b and c)"),
        ("(a + 1) + 2", "a + 1 + 2"),
        ("x==\"y\"", "x == \"y\""),
        ("(not a)", "not a"),
    ])
    func redundantBracketsAndSpacingAreNormalised(_ text: String, _ printed: String) throws {
        let e = try parse(text)
        #expect(e.infix == printed)
        #expect(sexp(try parse(e.infix)) == sexp(e))
    }

    /// Trees the parser can build, generated at random: every one prints to text that parses back to it.
    @Test func randomTreesRoundTrip() throws {
        var random = SeededRandom(seed: 0x5EED)
        for _ in 0..<3000 {
            let tree = randomExpr(depth: 4, &random)
            let printed = tree.infix
            let reparsed = try parse(printed)
            #expect(sexp(reparsed) == sexp(tree), "printed as: \(printed)")
        }
    }

    private func randomExpr(depth: Int, _ r: inout SeededRandom) -> Expr {
        func make(_ kind: Expr.Kind) -> Expr { Expr(kind, offset: 0, length: 0) }
        let leaves: [Expr.Kind] = [
            .literal(.int(r.next(100))), .literal(.bool(r.next(2) == 0)),
            .literal(.text(["issued", "a b", "да"][r.next(3)])),
            .reference(["today", "x", "work_permit_expires", "age"][r.next(4)]),
        ]
        guard depth > 0, r.next(5) != 0 else { return make(leaves[r.next(leaves.count)]) }
        let sub = { (r: inout SeededRandom) in self.randomExpr(depth: depth - 1, &r) }
        switch r.next(6) {
        case 0: return make(.not(sub(&r)))
        case 1: return make(.negate(sub(&r)))
        case 2:
            let op = BinaryOperator.allCases[r.next(BinaryOperator.allCases.count)]
            return make(.binary(op, sub(&r), sub(&r)))
        case 3:
            let items = (0..<r.next(3)).map { _ in sub(&r) }
            return make(.membership(sub(&r), items, negated: r.next(2) == 0))
        case 4:
            let f = Function.allCases[r.next(Function.allCases.count)]
            return make(.call(f, (0..<r.next(3)).map { _ in sub(&r) }))
        default:
            return make(.binary([.and, .or, .minus][r.next(3)], sub(&r), sub(&r)))
        }
    }
}

/// A small deterministic generator, so that a failure can be reproduced.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(_ upperBound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(upperBound))
    }
}
