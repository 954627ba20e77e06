import Benchmark
import Foundation

/// Time to the first prompt under a pseudo-terminal: the C floor, `consult start`, and the
/// kiosk's reset between two applicants (from the quit's confirmation, yes, to the next applicant's first prompt).
func startUpBenchmarks() {
    let terminal = ["TERM": "xterm-256color", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(),
                    "CONSULT_CONTENT": Places.root.path]
    let data = Places.scratch("start")
    let floorPrompt = Array("> ".utf8)
    // The last choice of the first question: "Russian", written in Russian.
    let lastChoice = Array("\u{0420}\u{0443}\u{0441}\u{0441}\u{043A}\u{0438}\u{0439}".utf8)
    // consult's prompt, in bold: what libedit shows once it waits for the answer.
    let prompt = Array("\u{1B}[1m>\u{1B}[0m ".utf8)
    let configuration = Benchmark.Configuration(metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 3,
                                                maxDuration: .seconds(10), maxIterations: 60)

    Benchmark("Start-up: C libedit floor, first prompt (anchor)", configuration: configuration) { benchmark in
        benchmark.startMeasurement()
        let program = try TerminalProgram(Places.floor, [], environment: terminal)
        try program.wait(for: floorPrompt)
        benchmark.stopMeasurement()
        program.end()
    }

    Benchmark("Start-up: consult start, first prompt (goal ≤ 5× floor)", configuration: configuration) { benchmark in
        benchmark.startMeasurement()
        let program = try TerminalProgram(Places.consult, ["start", "--data-dir", data.path, "--today", "2026-11-25"],
                                          environment: terminal)
        try program.wait(for: prompt)
        benchmark.stopMeasurement()
        program.end()
    }

    // One kiosk for all iterations: each ends its consultation (/quit, yes) and waits for the
    // next applicant's first prompt. Its records go to a scratch folder.
    final class KioskBox: @unchecked Sendable { var program: TerminalProgram?; var prompts = 0 }
    let kiosk = KioskBox()
    Benchmark("Start-up: kiosk reset, next first prompt (goal ≤ 5× floor)", configuration: configuration) { benchmark in
        if kiosk.program == nil {
            let program = try TerminalProgram(Places.consult, ["kiosk", "--data-dir", data.path, "--today", "2026-11-25",
                                                               "--idle-minutes", "30"], environment: terminal)
            try program.wait(for: lastChoice)
            try program.wait(for: prompt)
            kiosk.program = program
            kiosk.prompts = program.occurrences(of: prompt)
        }
        guard let program = kiosk.program else { return }
        program.type("/quit\r")
        try program.wait(for: prompt, count: kiosk.prompts + 1)
        let before = program.occurrences(of: lastChoice)
        let prompts = program.occurrences(of: prompt)
        benchmark.startMeasurement()
        program.type("y\r")
        try program.wait(for: lastChoice, count: before + 1)
        try program.wait(for: prompt, count: prompts + 1)
        benchmark.stopMeasurement()
        kiosk.prompts = program.occurrences(of: prompt)
    } teardown: {
        kiosk.program?.end()
        kiosk.program = nil
    }
}
