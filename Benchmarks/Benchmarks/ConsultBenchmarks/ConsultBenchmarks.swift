import Benchmark
import Foundation

/// The suite `make bench` runs. Each figure is named with its anchor or goal; rows sharing a
/// prefix are compared with each other (`swift package benchmark --grouping metric` puts them one
/// under the other; `make bench` prints a summary of the ratios after the tables).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], timeUnits: .microseconds,
                                           warmupIterations: 3, maxDuration: .seconds(5), maxIterations: 200)
    startUpBenchmarks()
    contentBenchmarks()
    engineBenchmarks()
    headlessBenchmarks()
    transcriptBenchmarks()
}
