import Benchmark
import ConsultContent
import ConsultEngine
import ConsultLocalization
import Foundation

/// The generated 10,000-step tree, written once for the whole suite.
let tenThousand: URL = {
    let dir = Places.scratch("tree")
    do { try Tree.generate(steps: 10_000, into: dir) } catch { fatalError("cannot write the generated tree: \(error)") }
    return dir
}()

/// Loading and linting: what a consultation does before its first prompt (`ContentCache.load`,
/// which finds the checked content in its cache, and `Content.load`, what a cache miss costs),
/// what `consult lint` does, and both for the generated 10,000-step tree. The cache's payload
/// read back in the forms it was measured in (README, "Speed").
func contentBenchmarks() {
    // Allocation counts barely move from run to run: held closer than times.
    let configuration = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal], timeUnits: .microseconds,
                                                warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 50,
                                                thresholds: timeThresholds.merging([.mallocCountTotal: .init(relative: [.p50: 10])]) { $1 })
    let cache = ContentCache(directory: Places.scratch("cache").appendingPathComponent("cache"))
    Benchmark("Content: load, shipped, from the cache (the start path)", configuration: configuration) { benchmark in
        let (content, outcome) = try cache.load(ContentFiles(dialogs: Places.dialogs, locales: Places.locales))
        guard outcome == .hit || outcome == .stored(replaced: nil) else { throw BenchError("the cache was not used: \(outcome)") }
        // What the first screen reads: the fallback's catalog (the others are read when wanted).
        blackHole(content.localizer.text("app.title", language: content.localizer.fallback))
    }
    Benchmark("Content: load + check, shipped (a cache miss)", configuration: configuration) { benchmark in
        blackHole(try Content.load(dialogs: Places.dialogs, locales: Places.locales))
    }
    for format in ContentCache.PayloadFormat.allCases {
        let payload = try? format.encode(try Content.load(dialogs: Places.dialogs, locales: Places.locales))
        Benchmark("Content: cache payload read back, shipped, \(format.rawValue)", configuration: configuration) { benchmark in
            guard let payload else { throw BenchError("the shipped content does not encode as \(format)") }
            blackHole(try format.decode(payload))
        }
    }
    Benchmark("Content: lint, shipped (consult lint)", configuration: configuration) { benchmark in
        let report = Linter.lint(dialogs: Places.dialogs, locales: Places.locales)
        guard report.diagnostics.isEmpty else { throw BenchError("the shipped content has problems: \(report.diagnostics.prefix(3))") }
    }
    Benchmark("Content: load + lint, 10,000 steps (goal < 200 ms)", configuration: configuration) { benchmark in
        let report = Linter.lint(dialogs: tenThousand.appendingPathComponent("dialogs"), locales: tenThousand.appendingPathComponent("locales"))
        guard report.diagnostics.isEmpty, report.dialogs?.dialogs.first?.nodes.count == 10_000 else {
            throw BenchError("the generated tree did not load cleanly: \(report.diagnostics.prefix(3))")
        }
    }
}

/// Answers for the generated tree: yes to every yes/no question, 50 to every number.
struct TreeWords: AnswerVocabulary {
    var yesWords: [String] { ["y"] }
    var noWords: [String] { ["n"] }
    func label(_ key: MessageKey) -> String { "" }
}

/// One answer at a time through a whole consultation on the 10,000-step tree: the engine's
/// `Consultation.answered`, and the same rules written by hand (``HandRules``).
func engineBenchmarks() {
    final class State: @unchecked Sendable {
        var set: DialogSet?
        var consultation: Consultation?
        var hand = HandRules(steps: 10_000)
    }
    let state = State()
    let configuration = Benchmark.Configuration(metrics: [.wallClock], timeUnits: .nanoseconds, warmupIterations: 10,
                                                maxDuration: .seconds(5), maxIterations: 2_000)
    let today = LocalDate(year: 2026, month: 11, day: 25)!

    Benchmark("Engine: one step by hand, 10,000 steps (anchor)", configuration: configuration) { benchmark in
        if case .finished = state.hand.asked { state.hand = HandRules(steps: 10_000) }
        let input: String
        switch state.hand.asked {
        case .yesNo: input = "y"
        default: input = "50"
        }
        benchmark.startMeasurement()
        let taken = state.hand.answered(input)
        benchmark.stopMeasurement()
        guard taken else { throw BenchError("the hand-written rules refused \(input)") }
    }

    Benchmark("Engine: one step, 10,000 steps (goal ≤ 5× by hand, p99 < 100 µs)", configuration: configuration) { benchmark in
        if state.set == nil {
            let report = Linter.lint(dialogs: tenThousand.appendingPathComponent("dialogs"), locales: tenThousand.appendingPathComponent("locales"))
            state.set = report.dialogs
        }
        guard let set = state.set else { throw BenchError("the generated tree did not load") }
        if state.consultation == nil { state.consultation = try Consultation(dialogs: set, today: today) }
        guard case .ask(let prompt) = state.consultation!.step else {
            state.consultation = try Consultation(dialogs: set, today: today)
            return
        }
        let input = prompt.expected == .yesNo ? "y" : "50"
        benchmark.startMeasurement()
        let result = state.consultation!.answered(input, vocabulary: TreeWords())
        benchmark.stopMeasurement()
        if case .failure(let problem) = result { throw BenchError("the engine refused \(input): \(problem)") }
    }
}
