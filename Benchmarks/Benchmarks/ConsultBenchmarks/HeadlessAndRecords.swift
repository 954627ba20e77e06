import Benchmark
import ConsultEngine
import ConsultRecords
import Foundation

/// Profiles of the VKS consultation, one JSON object a line, varied so that different ways
/// through the dialog are taken.
let profiles: [String] = [
    #"{"topic":"vks_residence_permit","applicant_role":"vks","has_vks_work_permit":"issued","holds_vks_residence_permit":"no","work_permit_expires":"2028-03-31","contract_terminated":"yes","termination_date":"2026-11-10","new_contract_signed":"no","wants_citizenship":"yes","wants_independent_permit":"no","family_members":[{"relation":"spouse","age":34},{"relation":"child","age":17}]}"#,
    #"{"topic":"vks_residence_permit","applicant_role":"vks","has_vks_work_permit":"issued","holds_vks_residence_permit":"no","work_permit_expires":"2027-06-30","contract_terminated":"no","wants_citizenship":"no","wants_independent_permit":"yes","family_members":[]}"#,
    #"{"topic":"vks_residence_permit","applicant_role":"vks","has_vks_work_permit":"applied","wants_citizenship":"no","wants_independent_permit":"no","family_members":[{"relation":"child","age":5}]}"#,
    #"{"topic":"vks_residence_permit","applicant_role":"vks","has_vks_work_permit":"none"}"#,
]

/// `consult run --batch` on one file of many profiles (one process), and `consult run` once per
/// profile (a process each), both through the release binary.
func headlessBenchmarks() {
    let dir = Places.scratch("headless")
    let count = 20_000
    let batch = dir.appendingPathComponent("profiles.jsonl")
    let single = dir.appendingPathComponent("profile.json")
    let lines = (0..<count).map { profiles[$0 % profiles.count] }
    try? (lines.joined(separator: "\n") + "\n").write(to: batch, atomically: true, encoding: .utf8)
    try? profiles[0].write(to: single, atomically: true, encoding: .utf8)
    let perSecond = BenchmarkMetric.custom("profiles per second", polarity: .prefersLarger, useScalingFactor: false)

    Benchmark("Headless: consult run --batch, 20,000 profiles in one process (goal ≥ 50,000/s)",
              configuration: .init(metrics: [.wallClock, perSecond], timeUnits: .milliseconds, warmupIterations: 1,
                                   maxDuration: .seconds(20), maxIterations: 10,
                                   thresholds: timeThresholds.merging([perSecond: .init(relative: [.p50: 50])]) { $1 })) { benchmark in
        let start = ContinuousClock.now
        let status = try runQuietly(Places.consult, ["run", "--batch", batch.path, "--today", "2026-11-25"])
        let elapsed = ContinuousClock.now - start
        guard status == 0 || status == 3 else { throw BenchError("consult run --batch exited \(status)") }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        benchmark.measurement(perSecond, Int(Double(count) / seconds))
    }

    Benchmark("Headless: consult run, one process per profile",
              configuration: .init(metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 2,
                                   maxDuration: .seconds(10), maxIterations: 50)) { benchmark in
        let status = try runQuietly(Places.consult, ["run", "--facts", single.path, "--today", "2026-11-25"])
        guard status == 0 else { throw BenchError("consult run exited \(status)") }
    }
}

/// Runs a program with its output thrown away; its exit status.
func runQuietly(_ path: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    // The checkout's content, wherever the binary measured lies.
    process.environment = ProcessInfo.processInfo.environment.merging(["CONSULT_CONTENT": Places.root.path]) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// Appending one event to a transcript, durable (written and fsync'ed before the next prompt),
/// on the disk of the checkout.
func transcriptBenchmarks() {
    final class Box: @unchecked Sendable { var writer: TranscriptWriter?; var events = 0 }
    let box = Box()
    let directory = DataDirectory(Places.root.appendingPathComponent("Benchmarks/.build/bench-data"))
    let event = ConsultationEvent.answer(.init(fact: "has_vks_work_permit", input: "1", value: .choice("issued")))
    // Not checked against the baseline: an fsync waits for whatever else the disk is writing, and
    // on a shared machine its median moved more than tenfold between two runs.
    Benchmark("Records: transcript append, durable, per event",
              configuration: .init(metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 10,
                                   maxDuration: .seconds(5), maxIterations: 2_000,
                                   thresholds: [.wallClock: .none])) { benchmark in
        if box.writer == nil || box.events >= 500 {
            try directory.prepare()
            box.writer = try TranscriptWriter(directory: directory)
            box.events = 0
        }
        benchmark.startMeasurement()
        try box.writer!.append(event)
        benchmark.stopMeasurement()
        box.events += 1
    } teardown: {
        try? FileManager.default.removeItem(at: directory.url)
    }
}
