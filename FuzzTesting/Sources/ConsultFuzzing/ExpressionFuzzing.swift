import ConsultEngine

/// Input: the text of an expression, as written after `when:`, `value:`, `min:` in a dialog.
///
/// Parsed; a syntax error must point inside the text. A parsed expression is type-checked against
/// the facts the shipped dialogs set (a type error must point inside it too), and a well-typed one
/// evaluated with a value for every fact: its value must have the type the checker promised.
enum ExpressionFuzzing {
    static let checker = ExpressionChecker(declared: Shipped.content.dialogs.factTypes)

    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let length = text.unicodeScalars.count
        let expr: Expr
        do {
            expr = try ExpressionParser.parse(text)
        } catch {
            require(
                (0...length).contains(error.offset),
                "syntax error at \(error.offset), outside 0...\(length): \(error.message)")
            return
        }
        require(
            expr.offset >= 0 && expr.offset + expr.length <= length,
            "expression spans \(expr.offset)+\(expr.length) of \(length)")
        _ = expr.references
        let type: ValueType
        do {
            type = try checker.type(of: expr)
        } catch {
            require(
                (0...length).contains(error.offset),
                "type error at \(error.offset), outside 0...\(length): \(error.message)")
            return
        }
        for env in [Shipped.environment, Environment(today: AnswerParserFuzzing.today)] {
            guard case .value(let value) = Evaluator.evaluate(expr, in: env) else { continue }
            switch (type, value) {
            case (.bool, .bool), (.int, .int), (.date, .date), (.text, .text), (.text, .choice), (.choice, .choice),
                (.choice, .text), (.list, .list):
                break
            default:
                require(false, "checked as \(type), evaluated to \(value)")
            }
        }
    }
}
