import ConsultEngine
import ConsultRecords
import ConsultSealing
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// "Come back later" (issue 13): the code's format, its key, and the resume files of a data
/// directory — what is in them, expiry, tampering, and the limits on wrong codes.
@Suite struct ResumeCodeTests {
    @Test func aCodeIsTwelveSymbolsInThreeGroupsOfCrockfordsAlphabet() {
        for _ in 0..<200 {
            let code = ResumeCode.random()
            #expect(code.display.count == 14)
            #expect(code.display.split(separator: "-").map(\.count) == [4, 4, 4])
            #expect(code.symbols.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) })
            #expect(ResumeCode(typed: code.display) == code)
            #expect(code.lookup == String(code.display.prefix(4)))
        }
    }

    @Test func typingIsForgivingOfCaseSeparatorsAndLookAlikes() throws {
        let code = try #require(ResumeCode(typed: "K7QM-4TXP-2WZA"))
        for typed in [
            "k7qm-4txp-2wza", "K7QM 4TXP 2WZA", "k7qm4txp2wza", " K7QM–4TXP—2WZA ", "K7QM.4TXP.2WZA",
            // Cyrillic К, М, Т, Х, Р, А typed on a Russian layout.
            "К7QМ-4ТХР-2WZА",
        ] {
            #expect(ResumeCode(typed: typed) == code, "\(typed)")
        }
        // O is 0, I and L are 1 (Crockford).
        #expect(ResumeCode(typed: "O0IL-1111-0000")?.display == "0011-1111-0000")
    }

    @Test func whatIsNoCodeIsRefusedWithoutCountingAsWrong() {
        for typed in [
            "", "K7QM-4TXP-2WZ", "K7QM-4TXP-2WZAB", "K7QM-4TXP-2WZU", "K7QM/4TXP/2WZA", "ß7QM-4TXP-2WZA",
            String(repeating: "A", count: 10_000), "K7QM-4TXP-2WZ\u{0}", "\u{1B}[2JK7QM4TXP2WZA",
        ] {
            #expect(ResumeCode(typed: typed) == nil, "\(typed.prefix(20))")
        }
    }

    @Test func theKeyOpensOnlyWithTheSameCodeAndSalt() throws {
        let code = ResumeCode.random()
        let salt = ResumeKey.newSalt()
        let key = try ResumeKey(code: code, salt: salt, logN: 10)
        let box = try key.seal(Data("answers".utf8), binding: Data("fields".utf8))
        #expect(try ResumeKey(code: code, salt: salt, logN: 10).open(box, binding: Data("fields".utf8)) != nil)
        #expect(key.open(box, binding: Data("other fields".utf8)) == nil)
        let other = try #require(ResumeCode(typed: code.lookup + "00000000"))
        #expect(try ResumeKey(code: other, salt: salt, logN: 10).open(box, binding: Data("fields".utf8)) == nil)
        #expect(
            try ResumeKey(code: code, salt: ResumeKey.newSalt(), logN: 10).verifies(key.check(lookup: "X"), lookup: "X")
                == false)
        #expect(throws: SealingError.self) { try ResumeKey(code: code, salt: salt, logN: 30) }
    }
}

@Suite struct ResumeStoreTests {
    /// A store in a fresh data directory, cheap scrypt, a clock the test moves.
    final class Clock: @unchecked Sendable {
        var now = Date(timeIntervalSince1970: 1_790_000_000)
    }

    let folder: URL
    let clock = Clock()

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("consult-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func store(address: String = "203.0.113.5", hours: Double = 24) -> ResumeStore {
        var store = ResumeStore(directory: DataDirectory(folder), hours: hours, address: address)
        store.logN = 10
        let clock = self.clock
        store.clock = { clock.now }
        return store
    }

    let state = ResumeState(
        language: "ru",
        answers: [
            "language": .choice("ru"), "consent": .bool(true), "topic": .choice("vks_residence_permit"),
            "applicant_name": .text("Анна Смирнова"),
            "work_permit_expires": .date(LocalDate(year: 2028, month: 3, day: 31)!),
        ],
        group: KeptGroup(GroupDraft(fact: "family_members")), transcript: "ABCD-EFGH-JKMN")

    func fileText(_ code: ResumeCode) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("resume/\(code.lookup).resume"), encoding: .utf8)
    }

    @Test func theRightCodeOpensWhatWasKept() throws {
        let handle = try store().create(state)
        var later = state
        later.answers["applicant_role"] = .choice("vks")
        try store().update(handle, later)
        // From another address, typed as a person would.
        let opened = try store(address: "198.51.100.7").reopen(handle.code.display.lowercased()).get()
        #expect(opened.1 == later)
        #expect(opened.0.expires == handle.expires)
        #expect(opened.0.code == handle.code)
    }

    @Test func theFileHoldsNothingButExpiryAndWhatTheCheckNeeds() throws {
        let handle = try store().create(state)
        let path = folder.appendingPathComponent("resume/\(handle.code.lookup).resume").path
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let folderMode =
            try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("resume").path)[
                .posixPermissions] as? Int
        #expect(folderMode == 0o700)
        let text = try fileText(handle.code)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["v", "expires", "scrypt", "salt", "check", "sealed"])
        for secret in [
            // (Long enough not to turn up in base64 by chance.)
            "Анна", "Смирнова", "consent", "applicant_name", "language", "2028-03", "vks_residence", "ABCD-EFGH",
            handle.code.symbols,
            String(handle.code.symbols.dropFirst(4)),
        ] {
            #expect(!text.contains(secret), "\(secret) in \(text)")
        }
        // No hash of an answer either: the sealed box changes with every write, the answers alike.
        try store().update(handle, state)
        #expect(try fileText(handle.code) != text)
    }

    @Test func aWrongCodeAndACodeWithoutAFileAreOneAndTheSame() throws {
        let handle = try store().create(state)
        let wrongSecret = try #require(ResumeCode(typed: handle.code.lookup + "ZZZZZZZZ"))
        var other = ResumeCode.random()
        while other.lookup == handle.code.lookup { other = ResumeCode.random() }
        #expect(store().reopen(wrongSecret.display).map(\.1) == .failure(.wrong))
        #expect(store().reopen(other.display).map(\.1) == .failure(.wrong))
        #expect(store().reopen("not a code").map(\.1) == .failure(.notACode))
        // The right one still works.
        #expect((try? store().reopen(handle.code.display).get()) != nil)
    }

    @Test func anExpiredCodeIsSaidToBeExpiredAndItsAnswersAreDeleted() throws {
        let handle = try store(hours: 2).create(state)
        clock.now += 2 * 60 * 60 - 1
        #expect((try? store().reopen(handle.code.display).get()) != nil)
        clock.now += 2
        // Purged (as consult does at start-up): the answers are gone, the right code learns why.
        #expect(store().purge() == 1)
        let stub = try fileText(handle.code)
        #expect(!stub.contains("sealed"), "\(stub)")
        #expect(store().reopen(handle.code.display).map(\.1) == .failure(.expired))
        let wrong = try #require(ResumeCode(typed: handle.code.lookup + "ZZZZZZZZ"))
        #expect(store().reopen(wrong.display).map(\.1) == .failure(.wrong))
        // Not purged yet: the same.
        let second = try store(hours: 1).create(state)
        clock.now += 3600
        #expect(store().reopen(second.code.display).map(\.1) == .failure(.expired))
        #expect(!(try fileText(second.code)).contains("sealed"))
        // A week later even that is gone.
        clock.now += ResumeStore.expiredNoticeLifetime + 1
        store().purge()
        #expect(
            !FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("resume/\(handle.code.lookup).resume").path))
        #expect(store().reopen(handle.code.display).map(\.1) == .failure(.wrong))
    }

    @Test func aTamperedFileDoesNotOpen() throws {
        // The sealed answers altered.
        let handle = try store().create(state)
        let url = folder.appendingPathComponent("resume/\(handle.code.lookup).resume")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var sealed = Array((object["sealed"] as? String ?? "").utf8)
        sealed[20] = sealed[20] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        object["sealed"] = String(decoding: sealed, as: UTF8.self)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        #expect(store().reopen(handle.code.display).map(\.1) == .failure(.damaged))
        #expect(!FileManager.default.fileExists(atPath: url.path))

        // Its expiry pushed back: the answers are bound to it.
        let second = try store(hours: 1).create(state)
        let secondURL = folder.appendingPathComponent("resume/\(second.code.lookup).resume")
        let text = try String(contentsOf: secondURL, encoding: .utf8)
        let expires = try #require(text.range(of: #"\d{4}-\d\d-\d\dT"#, options: .regularExpression))
        try text.replacingCharacters(in: expires, with: "2099-01-01T").write(
            to: secondURL, atomically: true, encoding: .utf8)
        #expect(store().reopen(second.code.display).map(\.1) == .failure(.damaged))

        // Its check replaced: the code reads as wrong.
        let third = try store().create(state)
        let thirdURL = folder.appendingPathComponent("resume/\(third.code.lookup).resume")
        var thirdObject = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: thirdURL)) as? [String: Any])
        thirdObject["check"] = "AAAA"
        try JSONSerialization.data(withJSONObject: thirdObject).write(to: thirdURL)
        #expect(store().reopen(third.code.display).map(\.1) == .failure(.wrong))
    }

    @Test func fiveWrongTriesBlockACodeAndDeleteItsAnswers() throws {
        let handle = try store().create(state)
        let url = folder.appendingPathComponent("resume/\(handle.code.lookup).resume")
        for n in 1...4 {
            let wrong = try #require(ResumeCode(typed: handle.code.lookup + String(format: "%08d", n)))
            #expect(store(address: "192.0.2.\(n)").reopen(wrong.display).map(\.1) == .failure(.wrong))
        }
        #expect(FileManager.default.fileExists(atPath: url.path))
        let fifth = try #require(ResumeCode(typed: handle.code.lookup + "00000005"))
        #expect(store(address: "192.0.2.5").reopen(fifth.display).map(\.1) == .failure(.blocked))
        #expect(!FileManager.default.fileExists(atPath: url.path))
        // Even the right code: the applicant is told to start again.
        #expect(store().reopen(handle.code.display).map(\.1) == .failure(.blocked))
        // A code without a file is blocked the same way (no oracle).
        let none = ResumeCode.random()
        for n in 1...4 { _ = store(address: "192.0.2.\(n + 10)").reopen(none.display) }
        #expect(store(address: "192.0.2.20").reopen(none.display).map(\.1) == .failure(.blocked))
    }

    @Test func theRightCodeClearsItsWrongTries() throws {
        let handle = try store().create(state)
        for n in 1...4 {
            _ = store().reopen(try #require(ResumeCode(typed: handle.code.lookup + String(format: "%08d", n))).display)
        }
        #expect((try? store().reopen(handle.code.display).get()) != nil)
        for n in 1...4 {
            _ = store().reopen(try #require(ResumeCode(typed: handle.code.lookup + String(format: "%08d", n))).display)
        }
        #expect((try? store().reopen(handle.code.display).get()) != nil)
    }

    @Test func tenWrongCodesFromOneAddressStopItForAnHour() throws {
        let handle = try store().create(state)
        for _ in 1...ResumeStore.wrongPerAddress {
            #expect(store(address: "203.0.113.9").reopen(ResumeCode.random().display).map(\.1) == .failure(.wrong))
        }
        #expect(store(address: "203.0.113.9").reopen(handle.code.display).map(\.1) == .failure(.tooManyFromHere))
        // Another address is not held back; a typo is not counted.
        #expect(store(address: "203.0.113.10").reopen("K7QM").map(\.1) == .failure(.notACode))
        #expect((try? store(address: "203.0.113.10").reopen(handle.code.display).get()) != nil)
        clock.now += ResumeStore.addressWindow + 1
        #expect((try? store(address: "203.0.113.9").reopen(handle.code.display).get()) != nil)
        // The counts keep no address in the clear.
        let counts = try String(contentsOf: folder.appendingPathComponent("resume/attempts.json"), encoding: .utf8)
        #expect(!counts.contains("203.0.113"), "\(counts)")
    }

    @Test func sessionsTypingAtOnceCannotPassTheLimit() async throws {
        _ = try store().create(state)
        let attempts = 3 * ResumeStore.wrongPerAddress
        let store = self.store(address: "198.51.100.99")
        let results = await withTaskGroup(of: ResumeRefusal?.self) { group in
            for _ in 0..<attempts {
                group.addTask {
                    if case .failure(let refusal) = store.reopen(ResumeCode.random().display) { return refusal }
                    return nil
                }
            }
            var all: [ResumeRefusal?] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.filter { $0 == .wrong }.count == ResumeStore.wrongPerAddress)
        #expect(results.filter { $0 == .tooManyFromHere }.count == attempts - ResumeStore.wrongPerAddress)
    }

    @Test func aGroupBeingFilledInIsKeptWithItsParts() throws {
        var draft = GroupDraft(fact: "family_members")
        draft.entries = [.more(true), .field("relation", .choice("spouse"))]
        var kept = state
        kept.group = KeptGroup(draft)
        let handle = try store().create(kept)
        let opened = try store().reopen(handle.code.display).get()
        #expect(opened.1.group?.draft == draft)
    }
}
