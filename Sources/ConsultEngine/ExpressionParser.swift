/// A problem found in an expression, with its place in the expression's text (Unicode scalars).
public struct ExpressionError: Error, Hashable, Sendable {
    public let message: String
    public let offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }
}

/// Parses the dialog expression language (see `dialogs/README.md`).
///
///     or      := and ("or" and)*
///     and     := not ("and" not)*
///     not     := "not" not | compare
///     compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum | "not"? "in" "[" list "]")?
///     sum     := unary (("+" | "-") unary)*
///     unary   := "-" unary | primary
///     primary := number | string | "true" | "false" | name | name "(" args ")" | "(" or ")"
public struct ExpressionParser {
    /// The deepest expression accepted: parentheses, `not`, `-`, calls and chains of operators
    /// (`a + b + c` is three levels) all count. Real conditions use a handful; the bound keeps the
    /// parser, the checker and the evaluator (all recursive) far from the end of the stack.
    public static let maxDepth = 64

    private var tokens: [Token]
    private var index = 0
    /// How deep the parser has recursed: parentheses, `not`, unary `-` and call arguments.
    private var nesting = 0

    public static func parse(_ text: String) throws(ExpressionError) -> Expr {
        var parser = try ExpressionParser(text)
        let e = try parser.parseOr()
        guard case .end = parser.peek.kind else {
            throw ExpressionError(
                "unexpected \(parser.peek.kind.display) after the end of the expression", at: parser.peek.offset)
        }
        return e
    }

    private init(_ text: String) throws(ExpressionError) {
        tokens = try Lexer.tokenize(text)
    }

    private var peek: Token { tokens[index] }

    private mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    private mutating func expect(_ kind: Token.Kind, _ what: String) throws(ExpressionError) -> Token {
        guard peek.kind == kind else {
            throw ExpressionError("expected \(what), found \(peek.kind.display)", at: peek.offset)
        }
        return advance()
    }

    private func span(from start: Int) -> Int {
        let last = tokens[max(0, index - 1)]
        return max(0, last.offset + last.length - start)
    }

    private static func tooDeep(at offset: Int) -> ExpressionError {
        ExpressionError(
            "the expression is nested too deeply (more than \(maxDepth) levels): split it into facts with 'let'",
            at: offset)
    }

    /// Builds a node, refusing a tree deeper than `maxDepth` (a long chain such as `a + a + … + a`
    /// makes one without any recursion in the parser).
    private func node(_ kind: Expr.Kind, offset: Int, length: Int, at place: Int) throws(ExpressionError) -> Expr {
        let e = Expr(kind, offset: offset, length: length)
        guard e.depth <= Self.maxDepth else { throw Self.tooDeep(at: place) }
        return e
    }

    /// Enters one more level of recursion (a parenthesis, `not`, `-`, a call) at `offset`.
    private mutating func descend(at offset: Int) throws(ExpressionError) {
        nesting += 1
        guard nesting <= Self.maxDepth else { throw Self.tooDeep(at: offset) }
    }

    private mutating func parseOr() throws(ExpressionError) -> Expr {
        var left = try parseAnd()
        while peek.kind == .word("or") {
            let op = advance().offset
            let right = try parseAnd()
            left = try node(.binary(.or, left, right), offset: left.offset, length: span(from: left.offset), at: op)
        }
        return left
    }

    private mutating func parseAnd() throws(ExpressionError) -> Expr {
        var left = try parseNot()
        while peek.kind == .word("and") {
            let op = advance().offset
            let right = try parseNot()
            left = try node(.binary(.and, left, right), offset: left.offset, length: span(from: left.offset), at: op)
        }
        return left
    }

    private mutating func parseNot() throws(ExpressionError) -> Expr {
        if peek.kind == .word("not") {
            let start = advance().offset
            try descend(at: start)
            defer { nesting -= 1 }
            let operand = try parseNot()
            return try node(.not(operand), offset: start, length: span(from: start), at: start)
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(ExpressionError) -> Expr {
        let left = try parseSum()
        if case .symbol(let s) = peek.kind, let op = BinaryOperator(rawValue: s),
            [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(op)
        {
            let place = advance().offset
            let right = try parseSum()
            return try node(.binary(op, left, right), offset: left.offset, length: span(from: left.offset), at: place)
        }
        var negated = false
        if peek.kind == .word("not"), index + 1 < tokens.count, tokens[index + 1].kind == .word("in") {
            _ = advance()
            negated = true
        }
        if peek.kind == .word("in") {
            let place = advance().offset
            _ = try expect(.symbol("["), "'[' starting the list of values")
            var items: [Expr] = []
            if peek.kind != .symbol("]") {
                repeat {
                    if peek.kind == .symbol(",") { _ = advance() }
                    items.append(try parseSum())
                } while peek.kind == .symbol(",")
            }
            _ = try expect(.symbol("]"), "']' or ',' in the list of values")
            return try node(
                .membership(left, items, negated: negated), offset: left.offset, length: span(from: left.offset),
                at: place)
        }
        if negated {
            throw ExpressionError("expected 'in' after 'not'", at: peek.offset)
        }
        return left
    }

    private mutating func parseSum() throws(ExpressionError) -> Expr {
        var left = try parseUnary()
        while case .symbol(let s) = peek.kind, s == "+" || s == "-" {
            let place = advance().offset
            let right = try parseUnary()
            left = try node(
                .binary(s == "+" ? .plus : .minus, left, right), offset: left.offset, length: span(from: left.offset),
                at: place)
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionError) -> Expr {
        if peek.kind == .symbol("-") {
            let start = advance().offset
            try descend(at: start)
            defer { nesting -= 1 }
            let operand = try parseUnary()
            return try node(.negate(operand), offset: start, length: span(from: start), at: start)
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Expr {
        let token = advance()
        switch token.kind {
        case .number(let n):
            return Expr(.literal(.int(n)), offset: token.offset, length: token.length)
        case .string(let s):
            return Expr(.literal(.text(s)), offset: token.offset, length: token.length)
        case .word("true"), .word("false"):
            return Expr(.literal(.bool(token.kind == .word("true"))), offset: token.offset, length: token.length)
        case .word(let name) where ["and", "or", "not", "in"].contains(name):
            throw ExpressionError("expected a value, found '\(name)'", at: token.offset)
        case .word(let name):
            guard peek.kind == .symbol("(") else {
                return Expr(.reference(name), offset: token.offset, length: token.length)
            }
            guard let function = Function(rawValue: name) else {
                let known = Function.allCases.map(\.rawValue).joined(separator: ", ")
                throw ExpressionError("unknown function '\(name)' (known: \(known))", at: token.offset)
            }
            _ = advance()
            try descend(at: token.offset)
            defer { nesting -= 1 }
            var arguments: [Expr] = []
            if peek.kind != .symbol(")") {
                arguments.append(try parseOr())
                while peek.kind == .symbol(",") {
                    _ = advance()
                    arguments.append(try parseOr())
                }
            }
            _ = try expect(.symbol(")"), "')' or ',' in the arguments of \(name)")
            return try node(
                .call(function, arguments), offset: token.offset, length: span(from: token.offset), at: token.offset)
        case .symbol("("):
            try descend(at: token.offset)
            defer { nesting -= 1 }
            let inner = try parseOr()
            _ = try expect(.symbol(")"), "')'")
            return inner
        default:
            throw ExpressionError("expected a value, found \(token.kind.display)", at: token.offset)
        }
    }
}

struct Token: Hashable {
    enum Kind: Hashable {
        case number(Int)
        case string(String)
        case word(String)
        case symbol(String)
        case end

        var display: String {
            switch self {
            case .number(let n): return "number \(n)"
            case .string(let s): return "\"\(s)\""
            case .word(let w): return "'\(w)'"
            case .symbol(let s): return "'\(s)'"
            case .end: return "the end of the expression"
            }
        }
    }

    let kind: Kind
    let offset: Int
    let length: Int
}

enum Lexer {
    static func tokenize(_ text: String) throws(ExpressionError) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c.properties.isWhitespace {
                i += 1
                continue
            }
            let start = i
            if c.isASCIIDigit {
                var n = 0
                while i < scalars.count, scalars[i].isASCIIDigit {
                    let (m, overflow) = n.multipliedReportingOverflow(by: 10)
                    let (sum, carry) = m.addingReportingOverflow(Int(scalars[i].value - 48))
                    guard !overflow, !carry else { throw ExpressionError("number too large", at: start) }
                    n = sum
                    i += 1
                }
                if i < scalars.count, scalars[i].isWordCharacter {
                    throw ExpressionError("a name cannot start with a digit", at: start)
                }
                tokens.append(Token(kind: .number(n), offset: start, length: i - start))
            } else if c.isWordStart {
                while i < scalars.count, scalars[i].isWordCharacter { i += 1 }
                let word = String(String.UnicodeScalarView(scalars[start..<i]))
                tokens.append(Token(kind: .word(word), offset: start, length: i - start))
            } else if c == "\"" || c == "'" {
                i += 1
                var value = String.UnicodeScalarView()
                while i < scalars.count, scalars[i] != c {
                    value.append(scalars[i])
                    i += 1
                }
                guard i < scalars.count else { throw ExpressionError("a string is not closed with \(c)", at: start) }
                i += 1
                tokens.append(Token(kind: .string(String(value)), offset: start, length: i - start))
            } else {
                let two = i + 1 < scalars.count ? String(String.UnicodeScalarView([c, scalars[i + 1]])) : ""
                if ["==", "!=", "<=", ">="].contains(two) {
                    tokens.append(Token(kind: .symbol(two), offset: start, length: 2))
                    i += 2
                } else if "<>+-()[],".unicodeScalars.contains(c) {
                    tokens.append(Token(kind: .symbol(String(c)), offset: start, length: 1))
                    i += 1
                } else if c == "=" {
                    throw ExpressionError("'=' is not an operator: write '==' to compare", at: start)
                } else if c == "&" || c == "|" || c == "!" {
                    throw ExpressionError("'\(c)' is not an operator: write and, or, not", at: start)
                } else {
                    throw ExpressionError("unexpected character '\(c)'", at: start)
                }
            }
        }
        tokens.append(Token(kind: .end, offset: scalars.count, length: 0))
        return tokens
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isWordStart: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" }
    var isWordCharacter: Bool { isWordStart || isASCIIDigit }
}
