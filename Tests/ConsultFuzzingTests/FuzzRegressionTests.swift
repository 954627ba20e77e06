import ConsultFuzzing
import ConsultFuzzingRecords
import ConsultTestSupport
import Foundation
import Testing

/// Every input a fuzzer ever crashed on (`FuzzTesting/FailCases/<target>/`), and every seed
/// (`FuzzTesting/Corpus/<target>/`), fed to the same entry point the fuzzer calls. A crash that
/// comes back fails here, in an ordinary `swift test`, without the sanitizers.
@Suite struct FuzzRegressionTests {
    static let fuzzTesting = repositoryRoot.appendingPathComponent("FuzzTesting")

    static func inputs(_ folder: String, _ target: FuzzTarget) -> [URL] { inputs(folder, target.rawValue) }

    static func inputs(_ folder: String, _ target: String) -> [URL] {
        let dir = fuzzTesting.appendingPathComponent(folder).appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test("kept crash inputs no longer crash", arguments: FuzzTarget.allCases)
    func failCases(_ target: FuzzTarget) throws {
        for url in Self.inputs("FailCases", target) {
            let bytes = try [UInt8](Data(contentsOf: url))
            #expect(target.run(bytes) == 0, "\(url.lastPathComponent)")
        }
    }

    @Test("every seed runs", arguments: FuzzTarget.allCases)
    func seeds(_ target: FuzzTarget) throws {
        let seeds = Self.inputs("Corpus", target)
        #expect(!seeds.isEmpty, "no seeds for \(target.rawValue)")
        for url in seeds {
            let bytes = try [UInt8](Data(contentsOf: url))
            #expect(target.run(bytes) == 0, "\(url.lastPathComponent)")
        }
    }

    @Test("the transcript target: kept crash inputs and every seed")
    func transcript() throws {
        let seeds = Self.inputs("Corpus", "FuzzTranscript")
        #expect(!seeds.isEmpty, "no seeds for FuzzTranscript")
        for url in Self.inputs("FailCases", "FuzzTranscript") + seeds {
            TranscriptFuzzing.run(try [UInt8](Data(contentsOf: url)))
        }
    }
}
