/// A fixture text with markers where diagnostics are expected, in the style of swift-format's
/// `MarkedText`:
///
///     let m = MarkedText("""
///         when: has_permit 1️⃣= "x"
///         """)
///     m.text                 // the text without the markers
///     m.location("1️⃣")      // (line: 1, column: 18)
///
/// A marker is a keycap emoji: a digit, U+FE0F and U+20E3 (`0️⃣` … `9️⃣`), or `🔟`.
/// The marker is removed; its place is the (line, column) of the character that follows it,
/// both 1-based, the column counted in Unicode scalars as Yams (libyaml) counts it.
struct MarkedText {
    struct Location: Hashable, CustomStringConvertible {
        let line: Int
        let column: Int
        var description: String { "\(line):\(column)" }
    }

    /// The text without its markers.
    let text: String
    /// Each marker's place in `text`.
    let markers: [String: Location]

    init(_ marked: String) {
        let scalars = Array(marked.unicodeScalars)
        var out = String.UnicodeScalarView()
        var markers: [String: Location] = [:]
        var line = 1
        var column = 1
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            var marker: String? = nil
            var width = 0
            if ("0"..."9").contains(c), i + 2 < scalars.count, scalars[i + 1] == "\u{FE0F}",
                scalars[i + 2] == "\u{20E3}"
            {
                marker = String(String.UnicodeScalarView(scalars[i...(i + 2)]))
                width = 3
            } else if c == "🔟" {
                marker = "🔟"
                width = 1
            }
            if let marker {
                precondition(markers[marker] == nil, "the marker \(marker) is used twice")
                markers[marker] = Location(line: line, column: column)
                i += width
                continue
            }
            out.append(c)
            if c == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += 1
        }
        self.text = String(out)
        self.markers = markers
    }

    /// The place of `marker`; stops the test run if the fixture does not have it.
    func location(_ marker: String) -> Location {
        guard let location = markers[marker] else {
            preconditionFailure("the fixture has no marker \(marker) (it has: \(markers.keys.sorted()))")
        }
        return location
    }
}
