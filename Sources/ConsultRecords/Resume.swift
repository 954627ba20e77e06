import ConsultEngine
import ConsultSealing
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a consultation keeps so that its applicant can continue it later with a code: sealed
/// under the code's key in the resume file, never in the clear.
public struct ResumeState: Codable, Sendable, Equatable {
    /// The consultation's language.
    public var language: String
    /// The answers so far (the consultation is rebuilt from them: `Consultation(answers:)`).
    public var answers: [String: Value]
    /// The group question being filled in, and its parts answered so far.
    public var group: KeptGroup?
    /// The transcript that wrote it last: the consultation continued records that it continues it.
    public var transcript: String

    public init(language: String, answers: [String: Value], group: KeptGroup? = nil, transcript: String = "") {
        self.language = language
        self.answers = answers
        self.group = group
        self.transcript = transcript
    }
}

/// The parts of a group question answered so far (a family member's relation, say, and not yet
/// their age), as `GroupDraft` holds them.
public struct KeptGroup: Codable, Sendable, Equatable {
    public var fact: String
    public var entries: [GroupDraft.Entry]

    public init(_ draft: GroupDraft) {
        fact = draft.fact
        entries = draft.entries
    }

    public var draft: GroupDraft {
        var draft = GroupDraft(fact: fact)
        draft.entries = entries
        return draft
    }

    private enum EntryKeys: String, CodingKey { case more, field, value }
    private enum CodingKeys: String, CodingKey { case fact, entries }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fact = try c.decode(String.self, forKey: .fact)
        var list = try c.nestedUnkeyedContainer(forKey: .entries)
        entries = []
        while !list.isAtEnd {
            let entry = try list.nestedContainer(keyedBy: EntryKeys.self)
            if let more = try entry.decodeIfPresent(Bool.self, forKey: .more) {
                entries.append(.more(more))
            } else {
                entries.append(
                    .field(try entry.decode(String.self, forKey: .field), try entry.decode(Value.self, forKey: .value)))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fact, forKey: .fact)
        var list = c.nestedUnkeyedContainer(forKey: .entries)
        for item in entries {
            var entry = list.nestedContainer(keyedBy: EntryKeys.self)
            switch item {
            case .more(let more): try entry.encode(more, forKey: .more)
            case .field(let name, let value):
                try entry.encode(name, forKey: .field)
                try entry.encode(value, forKey: .value)
            }
        }
    }
}

/// A code as the applicant reads it, and until when it works.
public struct ResumeTicket: Sendable, Hashable {
    /// `K7QM-4TXP-2WZA`.
    public let code: String
    public let expires: Date

    public init(code: String, expires: Date) {
        self.code = code
        self.expires = expires
    }
}

/// An open resume file: its code and keys (in memory only), so that every answer can be kept
/// without deriving the key again.
public struct ResumeHandle: Sendable {
    public let code: ResumeCode
    let key: ResumeKey
    let salt: Data
    let logN: Int
    public let expires: Date

    public var ticket: ResumeTicket { ResumeTicket(code: code.display, expires: expires) }
}

/// Why a typed code did not open a consultation. The applicant is told each in their language;
/// none tells a code that never existed from a wrong one.
public enum ResumeRefusal: String, Error, Sendable, Equatable {
    /// Not twelve symbols of the code's alphabet: a typo, not counted as a wrong code.
    case notACode
    /// No consultation opens with it (no such code, or not this secret).
    case wrong
    /// The right code, after its time: the answers it kept were deleted.
    case expired
    /// Typed wrongly too often: it works no more, and its answers were deleted.
    case blocked
    /// Too many wrong codes from this address lately.
    case tooManyFromHere
    /// The right code, but the file it opens was altered or damaged: deleted.
    case damaged
    /// The resume folder cannot be used.
    case unavailable
}

/// The resume files of a data directory (`resume/`, 0700; files 0600), one per code, named by the
/// code's lookup group. A file holds in the clear only what expiry and the code's check need:
///
/// ```
/// {"check":"…","expires":"2026-11-26T09:30:00.000Z","salt":"…","scrypt":15,"sealed":"…","v":1}
/// ```
///
/// `sealed` is the `ResumeState` sealed under the code's key (ChaCha20-Poly1305, bound to the
/// other fields). An expired file loses `sealed` (the answers are deleted); what is left tells the
/// right code that it expired, for a week, then goes too. Wrong codes are counted per code and per
/// address in `attempts.json`, under a lock (`attempts.lock`), before the key is derived: sessions
/// typing at once cannot get past the limits.
public struct ResumeStore: Sendable {
    public let folder: URL
    /// How long a code works, from its creation.
    public let lifetime: TimeInterval
    /// Where the applicant types from (the SSH client's address; `local` for a terminal or kiosk).
    public let address: String
    /// scrypt's cost for new files, and for the stand-in derivation of a code that has no file.
    public var logN = ResumeKey.defaultLogN
    /// The time now (tests move it on).
    public var clock: @Sendable () -> Date = { Date() }

    /// Wrong tries of one code before it is blocked and its file deleted.
    public static let wrongPerCode = 5
    /// Wrong codes from one address within `addressWindow` before it may try no more.
    public static let wrongPerAddress = 10
    public static let addressWindow: TimeInterval = 60 * 60
    /// How long what is left of an expired file says "expired" to the right code.
    public static let expiredNoticeLifetime: TimeInterval = 7 * 24 * 60 * 60
    /// The default lifetime of a code, in hours.
    public static let defaultHours = 24.0

    public init(directory: DataDirectory, hours: Double, address: String) {
        folder = directory.resume
        lifetime = hours * 60 * 60
        self.address = address.isEmpty ? "local" : address
    }

    private var now: Date { clock() }

    func file(_ lookup: String) -> URL { folder.appendingPathComponent("\(lookup).resume") }

    /// Creates the folder (0700).
    public func prepare() throws(RecordError) {
        if mkdir(folder.path, 0o700) != 0 && errno != EEXIST {
            throw RecordError.unwritable(folder.path, String(cString: strerror(errno)))
        }
    }

    // MARK: - Keeping

    /// A new code, and its file holding `state`.
    public func create(_ state: ResumeState) throws(RecordError) -> ResumeHandle {
        try prepare()
        let expires = Date(timeIntervalSince1970: (now.addingTimeInterval(lifetime).timeIntervalSince1970).rounded())
        for _ in 0..<16 {
            let code = ResumeCode.random()
            // A lookup that was typed wrongly lately is not given out again.
            if (try? withAttempts({ $0.codes[code.lookup] != nil })) ?? false { continue }
            let salt = ResumeKey.newSalt()
            let key: ResumeKey
            do throws(SealingError) {
                key = try ResumeKey(code: code, salt: salt, logN: logN)
            } catch {
                throw RecordError.writeFailed(folder.path, error.message)
            }
            let handle = ResumeHandle(code: code, key: key, salt: salt, logN: logN, expires: expires)
            if try keep(handle, state, replacing: false) { return handle }
        }
        throw RecordError.writeFailed(folder.path, "no free code")
    }

    /// Replaces the file's answers with `state` (after its expiry, nothing is written).
    public func update(_ handle: ResumeHandle, _ state: ResumeState) throws(RecordError) {
        guard now < handle.expires else { return }
        _ = try keep(handle, state, replacing: true)
    }

    /// Deletes the code's file: the consultation ended, or the consent was withdrawn.
    public func delete(_ handle: ResumeHandle) {
        unlink(file(handle.code.lookup).path)
    }

    /// Writes the file whole or not at all: aside first (flushed), then renamed (or, for a new
    /// code, linked, which fails rather than replaces when the lookup is taken: false).
    private func keep(_ handle: ResumeHandle, _ state: ResumeState, replacing: Bool) throws(RecordError) -> Bool {
        let lookup = handle.code.lookup
        var fields = ResumeFile(
            expires: TranscriptWriter.timestamp(handle.expires), scrypt: handle.logN,
            salt: Base64URL.encode(handle.salt), check: Base64URL.encode(handle.key.check(lookup: lookup)))
        guard let plain = try? Self.encoder.encode(state) else {
            throw RecordError.writeFailed(folder.path, "the answers cannot be written as JSON")
        }
        do throws(SealingError) {
            fields.sealed = Base64URL.encode(try handle.key.seal(plain, binding: fields.binding(lookup: lookup)))
        } catch {
            throw RecordError.writeFailed(folder.path, error.message)
        }
        return try place(fields, at: file(lookup), replacing: replacing)
    }

    private func place(_ fields: ResumeFile, at url: URL, replacing: Bool) throws(RecordError) -> Bool {
        guard let data = try? Self.encoder.encode(fields) else {
            throw RecordError.writeFailed(url.path, "not representable as JSON")
        }
        let temporary = folder.appendingPathComponent(".\(UUID().uuidString).tmp")
        defer { unlink(temporary.path) }
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RecordError.unwritable(temporary.path, String(cString: strerror(errno))) }
        let ok = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == data.count && fsync(fd) == 0
        let writeError = errno
        close(fd)
        guard ok else { throw RecordError.writeFailed(temporary.path, String(cString: strerror(writeError))) }
        if replacing {
            guard rename(temporary.path, url.path) == 0 else {
                throw RecordError.writeFailed(url.path, String(cString: strerror(errno)))
            }
        } else if link(temporary.path, url.path) != 0 {
            guard errno == EEXIST else { throw RecordError.unwritable(url.path, String(cString: strerror(errno))) }
            return false
        }
        let directory = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
        return true
    }

    // MARK: - Opening

    /// The consultation kept under the code the applicant typed, or why not. A wrong code is
    /// counted before the key is derived (per code and per address); a code without a file costs
    /// the same derivation as one with a file.
    public func reopen(_ typed: String) -> Result<(ResumeHandle, ResumeState), ResumeRefusal> {
        guard let code = ResumeCode(typed: typed) else { return .failure(.notACode) }
        let lookup = code.lookup
        let at = now.timeIntervalSince1970
        let me = Self.addressKey(address)
        // Counted as wrong until it proves right: two sessions at once cannot both pass the limit.
        let admitted: ResumeRefusal?
        do throws(RecordError) {
            try prepare()
            admitted = try withAttempts { attempts -> ResumeRefusal? in
                attempts.prune(now: at)
                if attempts.addresses[me, default: []].count >= Self.wrongPerAddress { return .tooManyFromHere }
                if attempts.codes[lookup]?.wrong ?? 0 >= Self.wrongPerCode { return .blocked }
                attempts.addresses[me, default: []].append(at)
                attempts.codes[lookup, default: CodeAttempts(wrong: 0, last: at)].wrong += 1
                attempts.codes[lookup]?.last = at
                return nil
            }
        } catch {
            return .failure(.unavailable)
        }
        if let admitted { return .failure(admitted) }

        let url = file(lookup)
        let stored = FileManager.default.contents(atPath: url.path).flatMap {
            try? JSONDecoder().decode(ResumeFile.self, from: $0)
        }
        guard let stored, let salt = Base64URL.decode(stored.salt), let check = Base64URL.decode(stored.check),
            let key = try? ResumeKey(code: code, salt: salt, logN: stored.scrypt), key.verifies(check, lookup: lookup)
        else {
            if stored == nil {
                // The same work as for a file: the time taken does not tell that there is none.
                _ = try? ResumeKey(code: code, salt: ResumeKey.newSalt(), logN: logN)
            }
            let blocked = (try? withAttempts { $0.codes[lookup]?.wrong ?? 0 >= Self.wrongPerCode }) ?? false
            if blocked {
                unlink(url.path)
                return .failure(.blocked)
            }
            return .failure(.wrong)
        }
        // The right code: its try is not counted.
        _ = try? withAttempts { attempts in
            if let index = attempts.addresses[me]?.lastIndex(of: at) { attempts.addresses[me]?.remove(at: index) }
            attempts.codes[lookup] = nil
        }
        guard let expires = TranscriptWriter.parseTimestamp(stored.expires), now < expires, let sealed = stored.sealed
        else {
            expire(stored, at: url)
            return .failure(.expired)
        }
        guard let box = Base64URL.decode(sealed), let plain = key.open(box, binding: stored.binding(lookup: lookup)),
            let state = try? JSONDecoder().decode(ResumeState.self, from: plain)
        else {
            unlink(url.path)
            return .failure(.damaged)
        }
        return .success((ResumeHandle(code: code, key: key, salt: salt, logN: stored.scrypt, expires: expires), state))
    }

    /// The answers of an expired file deleted: what is left tells the right code that it expired.
    private func expire(_ stored: ResumeFile, at url: URL) {
        guard stored.sealed != nil else { return }
        var stub = stored
        stub.sealed = nil
        if (try? place(stub, at: url, replacing: true)) != true { unlink(url.path) }
    }

    // MARK: - Expiry

    /// Deletes the answers of every expired file (what is left says "expired" for a week, then
    /// goes too), files that are not resume files, and counts of wrong codes no longer needed.
    /// Returns how many files' answers were deleted.
    @discardableResult
    public func purge() -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return 0 }
        let now = self.now
        var deleted = 0
        for name in names {
            let url = folder.appendingPathComponent(name)
            if name == "attempts.json" || name == "attempts.lock" { continue }
            let age =
                ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date).map {
                    now.timeIntervalSince($0)
                } ?? 0
            guard name.hasSuffix(".resume"), ResumeCode.isLookup(String(name.dropLast(".resume".count))),
                let data = FileManager.default.contents(atPath: url.path),
                let stored = try? JSONDecoder().decode(ResumeFile.self, from: data),
                let expires = TranscriptWriter.parseTimestamp(stored.expires)
            else {
                // A temporary file of a write that never finished, or something else: gone after an hour.
                if age > 60 * 60 { unlink(url.path) }
                continue
            }
            if now.timeIntervalSince(expires) > Self.expiredNoticeLifetime {
                unlink(url.path)
                if stored.sealed != nil { deleted += 1 }
            } else if now >= expires, stored.sealed != nil {
                expire(stored, at: url)
                deleted += 1
            }
        }
        let at = now.timeIntervalSince1970
        _ = try? withAttempts { $0.prune(now: at) }
        return deleted
    }

    // MARK: - Counting wrong codes

    struct CodeAttempts: Codable {
        var wrong: Int
        var last: Double
    }

    struct Attempts: Codable {
        /// Per lookup: wrong tries (reset by the right code).
        var codes: [String: CodeAttempts] = [:]
        /// Per address (hashed): the times of its wrong tries in the last hour.
        var addresses: [String: [Double]] = [:]

        mutating func prune(now: Double) {
            for (address, times) in addresses {
                let recent = times.filter { now - $0 < ResumeStore.addressWindow }
                addresses[address] = recent.isEmpty ? nil : recent
            }
            // A blocked code stays blocked as long as its file could have said "expired".
            codes = codes.filter { now - $0.value.last < ResumeStore.expiredNoticeLifetime + 2 * 24 * 60 * 60 }
        }
    }

    /// Runs `body` on the counts with the folder's lock held, and writes them back.
    func withAttempts<T>(_ body: (inout Attempts) -> T) throws(RecordError) -> T {
        let lockPath = folder.appendingPathComponent("attempts.lock").path
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw RecordError.unwritable(lockPath, String(cString: strerror(errno))) }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw RecordError.unwritable(lockPath, String(cString: strerror(errno))) }
        }
        defer { flock(lock, LOCK_UN) }
        let url = folder.appendingPathComponent("attempts.json")
        let read = FileManager.default.contents(atPath: url.path)
        var attempts = read.flatMap { try? JSONDecoder().decode(Attempts.self, from: $0) } ?? Attempts()
        let result = body(&attempts)
        // Written back only when changed: a look at the counts writes nothing.
        guard let data = try? Self.encoder.encode(attempts), data != read else { return result }
        guard try place(attempts: data, at: url) else {
            throw RecordError.writeFailed(url.path, "the counts of wrong codes cannot be written")
        }
        return result
    }

    private func place(attempts data: Data, at url: URL) throws(RecordError) -> Bool {
        let temporary = folder.appendingPathComponent(".attempts-\(UUID().uuidString).tmp")
        defer { unlink(temporary.path) }
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RecordError.unwritable(temporary.path, String(cString: strerror(errno))) }
        let ok = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == data.count && fsync(fd) == 0
        close(fd)
        return ok && rename(temporary.path, url.path) == 0
    }

    /// An address as the counts keep it: hashed, not written out.
    static func addressKey(_ address: String) -> String {
        SHA256.hash(data: Data("consult-resume-address:\(address)".utf8)).prefix(12).map {
            String(format: "%02x", $0)
        }.joined()
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// A resume file's fields (see `ResumeStore`).
struct ResumeFile: Codable, Equatable {
    var v = 1
    var expires: String
    /// scrypt's log2 N (r = 8, p = 1).
    var scrypt: Int
    var salt: String
    var check: String
    /// The answers, sealed; nil once expired.
    var sealed: String?

    /// What the sealed answers are bound to: the clear fields and the lookup.
    func binding(lookup: String) -> Data {
        Data("consult-resume-\(v)\n\(lookup)\n\(expires)\n\(scrypt)\n\(salt)\n\(check)".utf8)
    }
}
