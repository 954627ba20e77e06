import ConsultRecords
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Import, purge and erasure: the staff's work on the store and on this machine's spool.
public struct RecordsMaintenance {
    public let store: RecordStore
    public let spool: Spool
    /// Who does it ($USER or --actor): written in the audit.
    public let actor: String

    public init(store: RecordStore, spool: Spool, actor: String) {
        self.store = store
        self.spool = spool
        self.actor = actor
    }

    // MARK: - Import

    public struct ImportReport: Sendable {
        public var transcripts = 0
        public var lines = 0
        public var requests = 0
        /// Records refused (altered, unreadable), with why.
        public var refused: [String] = []
    }

    /// Brings a data directory of an earlier release (JSON Lines transcripts, request documents)
    /// into the store, each record verified first: an altered one is refused, never stored.
    /// Importing twice stores everything once.
    public func importDirectory(_ source: DataDirectory) -> ImportReport {
        var report = ImportReport()
        let badRequests = Dictionary(
            AppointmentRequest.problems(in: source).map { ($0.reference, $0.problem) }, uniquingKeysWith: { a, _ in a })
        for (reference, problem) in badRequests.sorted(by: { $0.key < $1.key }) {
            report.refused.append("appointment request \(reference): \(problem)")
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: source.appointments.path)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        for name in names where badRequests[String(name.dropLast(5))] == nil {
            guard let data = FileManager.default.contents(atPath: source.appointments.appendingPathComponent(name).path)
            else { continue }
            do throws(StoreError) {
                if try store.put(appointment: [UInt8](data), office: spool.office, host: spool.host) {
                    report.requests += 1
                }
            } catch {
                report.refused.append("appointment request \(name.dropLast(5)): \(error)")
            }
        }
        for url in TranscriptReader.all(in: source).sorted(by: { $0.path < $1.path }) {
            let id = url.deletingPathExtension().lastPathComponent
            if case .broken(let line, let reason) = TranscriptReader.verify(url).status {
                report.refused.append("transcript \(id): altered at line \(line): \(reason)")
                continue
            }
            guard let file = SpoolFile(url: url) else { continue }
            do throws(StoreError) {
                let added = try store.append(
                    transcript: id, lines: file.lines, office: spool.office, host: spool.host)
                report.lines += added
                if added > 0 { report.transcripts += 1 }
            } catch {
                report.refused.append("transcript \(id): \(error)")
            }
        }
        return report
    }

    // MARK: - Purge and erasure

    /// What a purge or an erasure removed.
    public struct Removal: Sendable, Equatable {
        public var transcripts: [String] = []
        public var references: [String] = []

        public init(transcripts: [String] = [], references: [String] = []) {
            self.transcripts = transcripts
            self.references = references
        }
    }

    /// Removes for good every consultation held before `day` (YYYY-MM-DD, Moscow) and every request
    /// created before it, from the store and from this machine's spool, and audits it.
    public func purge(before day: String, reason: String, auditEmpty: Bool = true) throws(StoreError) -> Removal {
        var (transcripts, references) = try store.held(before: day)
        for (id, file) in spoolTranscripts() where (file.day ?? "9999") < day { transcripts.append(id) }
        for (reference, request) in spoolRequests() where request.createdText.prefix(10) < day {
            references.append(reference)
        }
        let removal = try remove(transcripts: transcripts, references: references)
        // An automatic purge that found nothing leaves no entry (it runs at every sync).
        guard auditEmpty || removal != Removal() else { return removal }
        try store.audit(
            entry(
                "purge",
                target: "records held before \(day): \(removal.transcripts.count) transcript(s), "
                    + "\(removal.references.count) appointment request(s)", reason: reason))
        return removal
    }

    /// Removes for good the records of one applicant, named by a transcript id or a request
    /// reference (the request's transcript goes too, and the transcript's requests), and audits it.
    public func erase(_ names: [String], reason: String) throws(StoreError) -> Removal {
        let removal = try remove(transcripts: names, references: names)
        let target =
            (removal.transcripts.map { "transcript \($0)" } + removal.references.map { "appointment request \($0)" })
            .joined(separator: ", ")
        try store.audit(
            entry(
                "erase", target: target.isEmpty ? "nothing found for \(names.joined(separator: ", "))" : target,
                reason: reason))
        return removal
    }

    private func entry(_ action: String, target: String, reason: String) -> AuditEntry {
        AuditEntry(
            at: RecordStore.now(), actor: actor, action: action, target: target, reason: reason,
            office: spool.office, host: spool.host)
    }

    private func remove(transcripts: [String], references: [String]) throws(StoreError) -> Removal {
        var ids = Set(transcripts)
        var refs = Set(references)
        // The spool's own links: a request names its transcript, a transcript its requests.
        let spooled = spoolRequests()
        for (reference, request) in spooled where refs.contains(reference) {
            if let t = request.transcript { ids.insert(t) }
        }
        let files = spoolTranscripts()
        for (id, file) in files where ids.contains(id) { refs.formUnion(file.references) }
        for (reference, request) in spooled where request.transcript.map(ids.contains) == true {
            refs.insert(reference)
        }
        let stored = try store.erase(transcripts: Array(ids), references: Array(refs))
        var removal = Removal(transcripts: stored.transcripts, references: stored.references)
        let directory = spool.directory
        for id in ids {
            let found = unlink(directory.transcripts.appendingPathComponent("\(id).jsonl").path) == 0
            unlink(directory.url.appendingPathComponent("crashes/\(id).log").path)
            if found && !removal.transcripts.contains(id) { removal.transcripts.append(id) }
        }
        for reference in refs where unlink(directory.appointments.appendingPathComponent("\(reference).json").path) == 0
        {
            if !removal.references.contains(reference) { removal.references.append(reference) }
        }
        Spool.syncFolder(directory.transcripts)
        Spool.syncFolder(directory.appointments)
        removal.transcripts.sort()
        removal.references.sort()
        return removal
    }

    private func spoolTranscripts() -> [(String, SpoolFile)] {
        TranscriptReader.all(in: spool.directory).compactMap { url in
            SpoolFile(url: url).map { (url.deletingPathExtension().lastPathComponent, $0) }
        }
    }

    /// The spool's requests, sealed or not: what is in the clear of each (when made, its transcript).
    private func spoolRequests() -> [(String, (createdText: String, transcript: String?))] {
        let folder = spool.directory.appointments
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .compactMap { name in
                guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path),
                    let stored = try? AppointmentRequest.load(data, keys: .none).request
                else { return nil }
                switch stored {
                case .open(let r): return (String(name.dropLast(5)), (r.createdText, r.transcript))
                case .sealed(let s): return (String(name.dropLast(5)), (s.createdText, s.transcript))
                }
            }
    }
}

extension SpoolFile {
    /// The day (Moscow) its start event was written; nil without one.
    var day: String? {
        guard let first = lines.first, let decoded = TranscriptReader.decode(line: first.bytes) else { return nil }
        return RecordStore.day(decoded.time)
    }
}
