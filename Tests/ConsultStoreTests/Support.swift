import ConsultEngine
import ConsultRecords
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultStore

/// The two stores every behaviour is checked on.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A data directory and a fresh, empty store of the kind asked for.
struct Place {
    let directory: DataDirectory
    let url: String
    let location: StoreLocation

    init(_ kind: StoreKind, _ name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }.prefix(40)
        directory = DataDirectory(temporaryPath("consult-store-\(safe)"))
        try directory.prepare()
        switch kind {
        case .sqlite: url = "sqlite:" + directory.url.appendingPathComponent("records.sqlite").path
        case .postgres: url = try PostgresServer.shared.get().newDatabase()
        }
        location = try StoreLocation.parse(url)
    }

    func open() throws -> RecordStore { try RecordStore.open(location) }

    func spool(office: String = "Tverskaya", host: String = "kiosk-1") -> Spool {
        Spool(directory: directory, office: office, host: host)
    }

    func remove() { try? FileManager.default.removeItem(at: directory.url) }
}

/// A short consultation written to the spool as a session writes it (no store attached).
@discardableResult
func writeConsultation(
    in directory: DataDirectory, end: Bool = true, office: String? = "Tverskaya", host: String? = "kiosk-1",
    day: Int = 1, name: String = "Ivan Petrov", mirror: StoreMirror? = nil
) throws -> TranscriptWriter {
    let writer = try TranscriptWriter(directory: directory)
    mirror?.attach(to: writer)
    let recorder = ConsultationRecorder(writer: writer)
    recorder.start(
        channel: "kiosk", remote: nil, contentHash: "abc", version: "0.1.0",
        today: LocalDate(year: 2026, month: 3, day: day)!,
        language: "en", office: office, host: host)
    recorder.record(.language(.init(language: "ru", reason: .chosen)))
    recorder.record(
        .question(
            .init(fact: "applicant_name", key: "closing.applicant_name.prompt", text: "Your name?", part: .question)))
    recorder.record(.answer(.init(fact: "applicant_name", input: name, value: .text(name))))
    recorder.record(.outcome(.init(ids: ["vks_rp_eligible"], openPoints: [], text: "You may apply.")))
    if end { recorder.end("completed", facts: ["applicant_name": .text(name)], outcomes: []) }
    #expect(recorder.failure == nil)
    return writer
}

/// The bytes of a file, as lines (without their newlines).
func fileLines(_ url: URL) throws -> [[UInt8]] {
    var parts = [UInt8](try Data(contentsOf: url)).split(separator: 0x0A, omittingEmptySubsequences: false).map(
        Array.init)
    if parts.last?.isEmpty == true { parts.removeLast() }
    return parts
}

/// Every file under `folder` whose bytes hold `text`.
func files(under folder: String, containing text: String) -> [String] {
    let needle = Array(text.utf8)
    var found: [String] = []
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
    while let relative = walker.nextObject() as? String {
        let path = folder + "/" + relative
        guard let data = FileManager.default.contents(atPath: path), data.count >= needle.count else { continue }
        let bytes = [UInt8](data)
        var i = 0
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && Array(bytes[i..<i + needle.count]) == needle {
                found.append(relative)
                break
            }
            i += 1
        }
    }
    return found
}

/// `consult` run to its end (ConsultTestSupport's `runConsult`) with an environment of the test's
/// making only: none of this machine's CONSULT_* variables, C.UTF-8.
func consult(_ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> ProcessOutput {
    try runConsult(arguments, environment: consultEnvironment(environment), input: Data(input.utf8))
}

func consultEnvironment(_ extra: [String: String]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["LANG"] = "C.UTF-8"
    for key in [
        "LC_ALL", "CONSULT_DATA_DIR", "CONSULT_STORE", "CONSULT_OFFICE", "CONSULT_HOST", "CONSULT_RETENTION_DAYS",
    ] {
        env.removeValue(forKey: key)
    }
    for (k, v) in extra { env[k] = v }
    return env
}

/// `consult` ready to start, for a test that talks to it or kills it.
func consultProcess(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
    let process = Process()
    process.executableURL = Binaries.consult
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    process.environment = consultEnvironment(environment)
    return process
}

/// The answers of a whole consultation in English, up to a saved appointment request for
/// "Applicant NAME".
func consultationScript(name: String) -> [String] {
    EnglishConsultation.withAppointmentRequest.map { $0.replacingOccurrences(of: "NAME", with: name) }
}
