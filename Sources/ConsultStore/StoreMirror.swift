import ConsultRecords
import Foundation

/// Commits a consultation's events to the store as they are written, each before `append`
/// returns (so before the next prompt), after the spool's fsync. When the store cannot be reached
/// at the start, or fails mid-way, the consultation goes on with the spool alone and nothing is
/// shown to the applicant: staff read it in the log, and the spool is forwarded later.
public final class StoreMirror: @unchecked Sendable {
    public let spool: Spool
    /// Seconds an event's commit may take before the consultation goes on with the spool alone.
    public static let statementTimeout = 5
    private var store: RecordStore?
    private let lock = NSLock()
    private let log: StaffLog
    /// Why the store was given up for this consultation; nil while every event reached it.
    public private(set) var failure: StoreError?

    /// Connects to `location`; on failure the mirror stays detached (`failure` says why).
    public init(location: StoreLocation, spool: Spool) {
        self.spool = spool
        log = StaffLog(directory: spool.directory)
        do throws(StoreError) {
            store = try RecordStore.open(location)
            // The applicant waits for each commit: a store that does not answer is given up soon.
            store?.statementTimeout = Self.statementTimeout
        } catch {
            fail(error)
        }
    }

    /// Whether events still reach the store.
    public var connected: Bool {
        lock.lock()
        defer { lock.unlock() }
        return store != nil
    }

    /// From now on, every event `writer` writes is committed to the store too.
    public func attach(to writer: TranscriptWriter) {
        let id = writer.id
        let appointments = spool.directory.appointments
        writer.lineWritten = { [self] event, sequence, line in
            lock.lock()
            defer { lock.unlock() }
            guard let store else { return }
            do throws(StoreError) {
                if case .appointment(let saved) = event,
                    let document = FileManager.default.contents(
                        atPath: appointments.appendingPathComponent("\(saved.reference).json").path)
                {
                    try store.put(appointment: [UInt8](document), office: spool.office, host: spool.host)
                }
                try store.append(
                    transcript: id, lines: [RecordStore.Line(number: sequence, bytes: Array(line.dropLast()))],
                    office: spool.office, host: spool.host)
            } catch {
                store.close()
                self.store = nil
                fail(error, transcript: id)
            }
        }
    }

    private func fail(_ error: StoreError, transcript: String? = nil) {
        failure = error
        let fields = transcript.map { [("transcript", $0)] } ?? []
        log.log("warning", "records go to the local spool only, to be forwarded later: \(error)", fields)
    }

    public func close() {
        lock.lock()
        defer { lock.unlock() }
        store?.close()
        store = nil
    }
}
