import ConsultRecords
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The local spool: the transcripts and requests a consultation writes in the data directory
/// (`transcripts/ID.jsonl`, fsync'ed line by line, ended by the crash handler if need be, and
/// `appointments/REF.json`) are the first durable copy of every record. `forward` brings into the
/// store what it lacks, idempotently: lines are keyed by transcript and number and carry their
/// exact bytes, so a line forwarded twice (by two processes, or again after a kill) is stored once.
public struct Spool: Sendable {
    public let directory: DataDirectory
    /// Where the records were taken (written with each request forwarded).
    public let office: String
    public let host: String

    public init(directory: DataDirectory, office: String, host: String) {
        self.directory = directory
        self.office = office
        self.host = host
    }

    /// What a forwarding pass did.
    public struct Report: Sendable, CustomStringConvertible {
        public var transcripts = 0
        public var lines = 0
        public var requests = 0
        /// Spool files removed (their transcript ended and entirely in the store).
        public var removed = 0
        /// Transcripts still being written by a consultation (only their whole lines forwarded).
        public var live = 0
        /// What could not be forwarded, and why: the spool file stays.
        public var problems: [String] = []
        /// Spooled records that are not what the store holds (one of the two altered after the
        /// record was stored): both stay as they are, and staff are told.
        public var conflicts: [Conflict] = []

        public var description: String {
            var text =
                "\(lines) line\(lines == 1 ? "" : "s") of \(transcripts) transcript\(transcripts == 1 ? "" : "s") and "
                + "\(requests) appointment request\(requests == 1 ? "" : "s") forwarded; \(removed) spool file\(removed == 1 ? "" : "s") removed"
            if live > 0 { text += "; \(live) still being written" }
            return text
        }
    }

    /// A spooled record that differs from the one stored under its name.
    public struct Conflict: Sendable, Equatable {
        /// A transcript's id or a request's reference.
        public var name: String
        /// The first line (1-based) of a transcript that differs; nil for a request.
        public var line: Int?
        public var reason: String
    }

    /// Forwards every spooled record the store lacks. A transcript that has ended (or whose writer
    /// is gone) and is entirely in the store has its spool file removed, with its requests, once it
    /// is older than `keep` seconds (0: at once).
    @discardableResult
    public func forward(to store: RecordStore, keep: TimeInterval = 0, now: Date = Date()) -> Report {
        var report = Report()
        var forwardedRequests = Set<String>()
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.transcripts.path)) ?? [])
            .filter { $0.hasSuffix(".jsonl") && !$0.hasPrefix(".") }.sorted()
        let ids = names.map { String($0.dropLast(6)) }
        let stored: [String: Int]
        do throws(StoreError) {
            stored = try store.lineCounts(ids)
        } catch {
            report.problems.append(error.description)
            return report
        }
        for id in ids {
            let url = directory.transcripts.appendingPathComponent("\(id).jsonl")
            guard let file = SpoolFile(url: url) else { continue }
            if file.live && !file.ended { report.live += 1 }
            let lines = file.lines
            guard !lines.isEmpty else { continue }
            let have = stored[id] ?? 0
            var conflicting = false
            do throws(StoreError) {
                // Lines the store holds already must be the spool's, byte for byte.
                if have > 0, let line = try firstDifference(id, lines: lines.prefix(have), in: store) {
                    report.conflicts.append(
                        Conflict(
                            name: id, line: line + 1,
                            reason: "line \(line + 1) in \(url.path) is not the line stored in \(store.name)"))
                    continue
                }
                // Requests first: a stored appointment event always finds its request.
                for reference in file.references where !forwardedRequests.contains(reference) {
                    forwardedRequests.insert(reference)
                    do throws(StoreError) {
                        if try forwardRequest(reference, to: store) { report.requests += 1 }
                    } catch {
                        guard case .conflict = error else { throw error }
                        report.conflicts.append(requestConflict(reference, store))
                        conflicting = true
                    }
                }
                if have < lines.count {
                    report.lines += try store.append(
                        transcript: id, lines: Array(lines[have...]), office: office, host: host)
                    report.transcripts += 1
                }
            } catch {
                report.problems.append("\(url.path): \(error.description)")
                continue
            }
            let old = now.timeIntervalSince(file.modified) >= keep
            if (!file.live || file.ended) && old && !conflicting {
                for reference in file.references {
                    unlink(directory.appointments.appendingPathComponent("\(reference).json").path)
                }
                if unlink(url.path) == 0 { report.removed += 1 }
            }
        }
        // Requests whose transcript's spool is gone or was never written.
        let requestNames = ((try? FileManager.default.contentsOfDirectory(atPath: directory.appointments.path)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
        for name in requestNames {
            let reference = String(name.dropLast(5))
            guard !forwardedRequests.contains(reference) else { continue }
            do throws(StoreError) {
                if try forwardRequest(reference, to: store) { report.requests += 1 }
            } catch {
                if case .conflict = error {
                    report.conflicts.append(requestConflict(reference, store))
                    continue
                }
                report.problems.append(
                    "\(directory.appointments.appendingPathComponent(name).path): \(error.description)")
            }
        }
        Self.syncFolder(directory.transcripts)
        Self.syncFolder(directory.appointments)
        return report
    }

    private func requestConflict(_ reference: String, _ store: RecordStore) -> Conflict {
        let path = directory.appointments.appendingPathComponent("\(reference).json").path
        return Conflict(name: reference, line: nil, reason: "\(path) is not the request stored in \(store.name)")
    }

    /// The first of `lines` (its number) whose bytes are not those the store holds; nil when all are.
    private func firstDifference(
        _ id: String, lines: ArraySlice<RecordStore.Line>, in store: RecordStore
    ) throws(StoreError) -> Int? {
        let stored = try store.lineHashes(of: id)
        for line in lines where line.complete && stored[line.number] != line.hash { return line.number }
        return nil
    }

    /// Puts one spooled request into the store; false when there is no such file or it was there.
    private func forwardRequest(_ reference: String, to store: RecordStore) throws(StoreError) -> Bool {
        guard
            let data = FileManager.default.contents(
                atPath: directory.appointments.appendingPathComponent("\(reference).json").path)
        else { return false }
        return try store.put(appointment: [UInt8](data), office: office, host: host)
    }

    static func syncFolder(_ url: URL) {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// One transcript file of the spool as it is now.
struct SpoolFile {
    /// A consultation is still writing it (it holds the file's lock).
    let live: Bool
    /// Its last line is an end event: nothing follows (its writer may still hold the lock).
    let ended: Bool
    let lines: [RecordStore.Line]
    let modified: Date
    /// The appointment requests its events record.
    let references: [String]

    init?(url: URL) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        live = flock(fd, LOCK_SH | LOCK_NB) != 0
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let bytes = [UInt8](data)
        var parts = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let tail = parts.removeLast()
        var lines = parts.enumerated().map { RecordStore.Line(number: $0.offset, bytes: Array($0.element)) }
        // A line without its newline is forwarded only once no one can finish it.
        if !tail.isEmpty && !live {
            lines.append(RecordStore.Line(number: lines.count, bytes: Array(tail), complete: false))
        }
        self.lines = lines
        if let last = lines.last, last.complete, TranscriptReader.decode(line: last.bytes)?.kind == "end" {
            ended = true
        } else {
            ended = false
        }
        references = lines.compactMap { line -> String? in
            guard line.complete, line.bytes.count < 4096 else { return nil }
            return TranscriptReader.decode(line: line.bytes)?.appointment?.reference
        }
    }
}
