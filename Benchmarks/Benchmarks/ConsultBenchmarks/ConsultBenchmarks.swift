import Benchmark
import Foundation

/// The suite `make bench` runs. Each figure is named with its anchor or goal; rows sharing a
/// prefix are compared with each other (`swift package benchmark --grouping metric` puts them one
/// under the other; `make bench` then prints each figure beside its anchor, `Scripts/bench-summary.py`).
let benchmarks: @Sendable () -> Void = {
    // `make bench-check` compares medians only, and forgives what a shared 2-core machine does to
    // wall-clock times from one run to the next (`timeThresholds`).
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], timeUnits: .microseconds,
                                           warmupIterations: 3, maxDuration: .seconds(5), maxIterations: 200,
                                           thresholds: timeThresholds)
    startUpBenchmarks()
    contentBenchmarks()
    engineBenchmarks()
    headlessBenchmarks()
    transcriptBenchmarks()
}

/// A median twice the baseline's is a regression: on this shared 2-core machine even the C floor's
/// median moved by 88% between two runs an hour apart, with other builds running.
var timeThresholds: [BenchmarkMetric: BenchmarkThresholds] { [.wallClock: .init(relative: [.p50: 100])] }
