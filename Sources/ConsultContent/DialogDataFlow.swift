import ConsultEngine

/// Which facts some path may have set before each step (bit sets: 10,000 steps stay fast).
struct DataFlow {
    var factIndex: [String: Int] = [:]
    var factNames: [String] = []
    /// available[dialog][step]: nil when no path reaches the step.
    var available: [[BitSet?]]

    init(dialogs: [RawDialog], order: [Int], gotoTargets: [Int: [Int: GotoTarget]], start: Int) {
        available = dialogs.map { [BitSet?](repeating: nil, count: $0.steps.count) }
        for d in dialogs {
            for s in d.steps {
                switch s.kind {
                case .ask(let q):
                    if factIndex[q.fact] == nil {
                        factIndex[q.fact] = factNames.count
                        factNames.append(q.fact)
                    }
                case .compute(let f, _):
                    if factIndex[f] == nil {
                        factIndex[f] = factNames.count
                        factNames.append(f)
                    }
                default: break
                }
            }
        }
        let width = factNames.count
        let dialogIndex = Dictionary(dialogs.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var inflow = [BitSet?](repeating: nil, count: dialogs.count)
        guard inflow.indices.contains(start) else { return }
        inflow[start] = BitSet(width: width)
        for di in order {
            let d = dialogs[di]
            var stepInflow: [Int: BitSet] = [:]
            var flowing = inflow[di]
            if d.steps.isEmpty {
                if let f = flowing, let next = d.next.flatMap({ dialogIndex[$0.0] }) {
                    inflow[next] = inflow[next].union(f)
                }
                continue
            }
            for (si, s) in d.steps.enumerated() {
                var current = flowing
                if let extra = stepInflow[si] { current = current.union(extra) }
                available[di][si] = current
                guard var out = current else {
                    flowing = nil
                    continue
                }
                switch s.kind {
                case .ask(let q): out.insert(factIndex[q.fact]!)
                case .compute(let f, _): out.insert(factIndex[f]!)
                default: break
                }
                flowing = out
                if case .goto = s.kind, let target = gotoTargets[di]?[si] {
                    switch target {
                    case .step(let t): stepInflow[t] = stepInflow[t].map { $0.union(out) } ?? out
                    case .dialog(let name): if let t = dialogIndex[name] { inflow[t] = inflow[t].union(out) }
                    }
                    if s.when == nil { flowing = nil }
                }
            }
            if let f = flowing, let next = d.next.flatMap({ dialogIndex[$0.0] }) {
                inflow[next] = inflow[next].union(f)
            }
        }
    }

}

struct BitSet: Hashable, Sendable {
    var words: [UInt64]

    init(width: Int) {
        words = [UInt64](repeating: 0, count: (width + 63) / 64)
    }

    mutating func insert(_ i: Int) {
        words[i / 64] |= 1 << UInt64(i % 64)
    }

    func union(_ other: BitSet) -> BitSet {
        var r = self
        for i in r.words.indices { r.words[i] |= other.words[i] }
        return r
    }

    func contains(_ i: Int) -> Bool {
        words[i / 64] & (1 << UInt64(i % 64)) != 0
    }
}

extension Optional where Wrapped == BitSet {
    fileprivate func union(_ other: BitSet?) -> BitSet? {
        switch (self, other) {
        case (nil, nil): return nil
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (let a?, let b?): return a.union(b)
        }
    }
}
