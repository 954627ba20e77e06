import ConsultEngine
import ConsultLocalization
import ConsultTestSupport
import Foundation
import Testing

@testable import ConsultContent

/// The content cache (`DATA/cache`): never stale, never trusted when altered or when others could
/// write it, never in the way when it cannot be written.
@Suite("content cache")
struct ContentCacheTests {
    /// A copy of the shipped content and an empty cache folder beside it.
    struct Setup {
        let content: ContentCopy
        let cache: ContentCache

        init() throws {
            content = try ContentCopy("consult-cache-content")
            cache = ContentCache(directory: content.root.appendingPathComponent("data/cache"))
        }

        var files: ContentFiles { ContentFiles(dialogs: content.dialogs, locales: content.locales) }

        /// The one entry in the cache folder.
        func entry() throws -> URL {
            let names = try FileManager.default.contentsOfDirectory(atPath: cache.directory.path)
                .filter { $0.hasSuffix(".content") }
            try #require(names.count == 1, "entries: \(names)")
            return cache.directory.appendingPathComponent(names[0])
        }

        func replace(in file: String, _ old: String, with new: String) throws {
            let url = content.root.appendingPathComponent(file)
            let text = try String(contentsOf: url, encoding: .utf8)
            try #require(text.contains(old))
            try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: false, encoding: .utf8)
        }
    }

    @Test(
        "each payload format reads the shipped content back equal to what loading built",
        arguments: ContentCache.PayloadFormat.allCases)
    func roundTrip(format: ContentCache.PayloadFormat) throws {
        let decoded = try format.decode(try format.encode(shipped))
        #expect(decoded == shipped)
        // Derived parts are rebuilt, not trusted: the indexes answer as the loaded set's do.
        for fact in shipped.dialogs.factTypes.keys {
            #expect(decoded.dialogs.position(of: fact) == shipped.dialogs.position(of: fact))
            #expect(decoded.dialogs.question(for: fact) == shipped.dialogs.question(for: fact))
        }
        #expect(
            decoded.localizer.catalog("ru")?.formatDate(LocalDate(parsing: "2026-03-01")!)
                == shipped.localizer.catalog("ru")?.formatDate(LocalDate(parsing: "2026-03-01")!))
    }

    @Test("a second load is a hit and gives what loading the files gives")
    func hit() throws {
        let setup = try Setup()
        defer { setup.content.remove() }
        let (first, stored) = try setup.cache.load(setup.files)
        #expect(stored == .stored(replaced: nil))
        let (second, hit) = try setup.cache.load(setup.files)
        #expect(hit == .hit)
        let loaded = try Content.load(dialogs: setup.content.dialogs, locales: setup.content.locales)
        #expect(first == loaded)
        #expect(second == loaded)
    }

    @Test("any changed byte of any file is another entry: a cached load is never stale")
    func neverStale() throws {
        let setup = try Setup()
        defer { setup.content.remove() }
        _ = try setup.cache.load(setup.files)
        try setup.replace(
            in: "locales/es.yaml", "asistente de consultas\"", with: "asistente de consultaS\"")
        let (changed, outcome) = try setup.cache.load(setup.files)
        #expect(outcome == .stored(replaced: nil))
        #expect(changed.localizer.text("app.title", language: "es").hasSuffix("consultaS"))
        // And back: the first entry is still there, and still right for the first bytes.
        try setup.replace(in: "locales/es.yaml", "asistente de consultaS\"", with: "asistente de consultas\"")
        let (back, again) = try setup.cache.load(setup.files)
        #expect(again == .hit)
        #expect(back.localizer.text("app.title", language: "es").hasSuffix("consultas"))
        #expect(back == (try Content.load(dialogs: setup.content.dialogs, locales: setup.content.locales)))
    }

    @Test("another build of the program, or another place the files are named from, is another key")
    func keys() throws {
        let setup = try Setup()
        defer { setup.content.remove() }
        let files = setup.files
        let one = try #require(ContentCache.key(files, build: "build-id 01"))
        #expect(ContentCache.key(files, build: "build-id 02") != one)
        #expect(ContentCache.key(files, build: nil) == nil)
        let other = try ContentCopy("consult-cache-other")
        defer { other.remove() }
        #expect(
            ContentCache.key(ContentFiles(dialogs: other.dialogs, locales: other.locales), build: "build-id 01") != one)
    }

    @Test("content with errors is never cached")
    func errorsNotCached() throws {
        let setup = try Setup()
        defer { setup.content.remove() }
        try setup.replace(in: "dialogs/intake.yaml", "prompt: intake.consent.prompt", with: "prompt: no.such.key")
        #expect(throws: Content.Invalid.self) { try setup.cache.load(setup.files) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: setup.cache.directory.path)) ?? []
        #expect(names.filter { $0.hasSuffix(".content") }.isEmpty)
    }

    @Test("an entry cut short, altered or replaced by garbage is not used: rebuilt, and said why")
    func corrupt() throws {
        let setup = try Setup()
        defer { setup.content.remove() }
        let loaded = try Content.load(dialogs: setup.content.dialogs, locales: setup.content.locales)
        _ = try setup.cache.load(setup.files)
        let url = try setup.entry()
        let good = try Data(contentsOf: url)
        let key = url.deletingPathExtension().lastPathComponent
        let sections = try ContentCache.sections(Array(good), key: key).get()
        let languages = loaded.localizer.languages
        #expect(sections.count == 1 + languages.count)
        #expect(languages.first == "en")

        func flipped(_ section: Range<Int>) -> Data {
            var bytes = good
            bytes[(section.lowerBound + section.upperBound) / 2] ^= 0x01
            return bytes
        }
        var cases: [(String, Data)] = [
            ("cut short", good.prefix(good.count / 2)),
            ("cut short", Data()),
            ("not a cache entry", Data(repeating: 0x41, count: good.count)),
            ("extended", good + Data([0])),
            // One byte changed, as someone editing the file would: the dialogs, or the fallback's catalog.
            ("altered", flipped(sections[0])),
            ("altered", flipped(sections[1])),
        ]
        // Sections that are not what the cache wrote, with digests that match them (a bug that
        // wrote garbage, or a disk that returned it): reading refuses them without crashing.
        var generator = SeededGenerator(seed: 7)
        for round in 0..<20 {
            var parts = try sections.map { try #require(ContentCache.checked(Array(good), $0)) }
            let target = round % 2
            for _ in 0..<(1 + round % 4) {
                parts[target][Int.random(in: 0..<parts[target].count, using: &generator)] = UInt8.random(
                    in: 0...255, using: &generator)
            }
            if round % 5 == 0 { parts[target] = Array(parts[target].prefix(parts[target].count / 3)) }
            let keyBytes = try #require(ContentCache.bytes(hex: key))
            cases.append(("", Data(ContentCache.entry(sections: parts, keyBytes: keyBytes))))
        }
        for (why, bytes) in cases {
            try bytes.write(to: url)
            let (content, outcome) = try setup.cache.load(setup.files)
            // A random change can leave a section readable (a changed letter in a message): then it
            // is read, as what its digest vouches for. Either way, no crash.
            if why.isEmpty { continue }
            #expect(content == loaded)
            guard case .stored(let replaced?) = outcome else {
                Issue.record("\(why): \(outcome)")
                continue
            }
            #expect(replaced.contains(why), "\(replaced)")
            // Replaced by a good entry.
            let (again, next) = try setup.cache.load(setup.files)
            #expect(next == .hit)
            #expect(again == loaded)
        }

        // A language's catalog is checked when it is first wanted: altered, it is read from the
        // files instead, and the entry is removed so that the next load replaces it.
        try flipped(sections[2]).write(to: url)
        let (content, outcome) = try setup.cache.load(setup.files)
        #expect(outcome == .hit)
        #expect(content.localizer.catalog(exactly: languages[1]) == loaded.localizer.catalog(exactly: languages[1]))
        #expect(content == loaded)
        #expect(!FileManager.default.fileExists(atPath: url.path))
        #expect(try setup.cache.load(setup.files).outcome == .stored(replaced: nil))
    }

    @Test("a consultation reads the catalogs it uses, not every locale")
    func lazyCatalogs() throws {
        let setup = try Setup()
        defer { setup.content.remove() }
        _ = try setup.cache.load(setup.files)
        let (content, outcome) = try setup.cache.load(setup.files)
        #expect(outcome == .hit)
        #expect(content.localizer.languages == shipped.localizer.languages)
        #expect(content.localizer.hasLanguage("ru") && !content.localizer.hasLanguage("de"))
        for language in content.localizer.languages {
            #expect(
                content.localizer.text("app.title", language: language)
                    == shipped.localizer.text("app.title", language: language))
        }
        // Russian's section spoilt: nothing notices while only English is read.
        let url = try setup.entry()
        var bytes = Array(try Data(contentsOf: url))
        let sections = try ContentCache.sections(bytes, key: url.deletingPathExtension().lastPathComponent).get()
        let ru = try #require(content.localizer.languages.firstIndex(of: "ru")) + 1
        bytes[sections[ru].lowerBound + 10] ^= 0x01
        try Data(bytes).write(to: url)
        let (english, hit) = try setup.cache.load(setup.files)
        #expect(hit == .hit)
        #expect(
            english.localizer.text("app.title", language: "en") == shipped.localizer.text("app.title", language: "en"))
        #expect(FileManager.default.fileExists(atPath: url.path))
        // Russian is read when it is wanted: refused, read from the files, the entry removed.
        #expect(
            english.localizer.text("app.title", language: "ru") == shipped.localizer.text("app.title", language: "ru"))
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    @Test("an entry or a folder others could write is never read, and nothing is written there")
    func othersCouldWrite() throws {
        let setup = try Setup()
        defer { setup.content.remove() }
        _ = try setup.cache.load(setup.files)
        let url = try setup.entry()
        let fm = FileManager.default

        try fm.setAttributes([.posixPermissions: 0o666], ofItemAtPath: url.path)
        let (_, entryOutcome) = try setup.cache.load(setup.files)
        guard case .notStored(let why) = entryOutcome else {
            Issue.record("an entry others can write was used: \(entryOutcome)")
            return
        }
        #expect(why.contains(url.path))
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        #expect(try setup.cache.load(setup.files).outcome == .hit)

        for mode in [0o777, 0o1777, 0o775] {
            try fm.setAttributes([.posixPermissions: mode], ofItemAtPath: setup.cache.directory.path)
            try? fm.removeItem(at: url)
            let (content, outcome) = try setup.cache.load(setup.files)
            guard case .notStored = outcome else {
                Issue.record("a cache folder of mode \(String(mode, radix: 8)) was used: \(outcome)")
                continue
            }
            #expect(!fm.fileExists(atPath: url.path))
            #expect(content == (try Content.load(dialogs: setup.content.dialogs, locales: setup.content.locales)))
        }
    }

    @Test("a cache that cannot be written is not in the way: the content loads from its files")
    func unwritable() throws {
        let setup = try Setup()
        defer { setup.content.remove() }
        // A file where the folder should be.
        try FileManager.default.createDirectory(
            at: setup.cache.directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: setup.cache.directory)
        let (content, outcome) = try setup.cache.load(setup.files)
        guard case .notStored = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(content == (try Content.load(dialogs: setup.content.dialogs, locales: setup.content.locales)))
        #expect(try String(contentsOf: setup.cache.directory, encoding: .utf8) == "not a folder")
    }

    @Test("the cache is the user's (CONSULT_CACHE_DIR, XDG_CACHE_HOME, ~/.cache), never the data directory")
    func place() {
        #expect(
            ContentCache.resolve(environment: ["CONSULT_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"]).directory.path
                == "/c")
        #expect(
            ContentCache.resolve(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).directory.path == "/x/consult")
        #expect(
            ContentCache.resolve(environment: ["HOME": "/h", "CONSULT_DATA_DIR": "/d"]).directory.path
                == "/h/.cache/consult")
        #expect(ContentCache.resolve(environment: [:]).directory.path.hasSuffix("/.cache/consult"))
    }

    @Test("the hash the records name is the hash of the bytes loaded")
    func contentHash() throws {
        let setup = try Setup()
        defer { setup.content.remove() }
        let location = ContentLocation(dialogs: setup.content.dialogs, locales: setup.content.locales, source: "test")
        #expect(setup.files.hash == location.contentHash())
        #expect(setup.files.hash.count == 64)
    }

    @Test("the binary form refuses what it did not write, without crashing")
    func binaryRefuses() throws {
        let good = try ContentCache.PayloadFormat.binary.encode(shipped)
        for length in [0, 1, 2, 10, good.count / 2, good.count - 1] {
            #expect(throws: (any Error).self) {
                try ContentCache.PayloadFormat.binary.decode(Array(good.prefix(length)))
            }
        }
        #expect(throws: (any Error).self) { try ContentCache.PayloadFormat.binary.decode(good + [0]) }
        // Values nested deeper than any content are refused, not recursed into until the stack ends.
        var deep = Nest(children: [])
        for _ in 0..<1_000 { deep = Nest(children: [deep]) }
        var writer = BinaryWriter()
        deep.write(to: &writer)
        var reader = try BinaryReader(writer.finished())
        #expect(throws: BinaryError.self) { try Nest(from: &reader) }
        var shallow = Nest(children: [])
        for _ in 0..<100 { shallow = Nest(children: [shallow, Nest(children: [])]) }
        writer = BinaryWriter()
        shallow.write(to: &writer)
        reader = try BinaryReader(writer.finished())
        #expect(try Nest(from: &reader) == shallow)
    }

    struct Nest: BinaryCodable, Equatable {
        var children: [Nest]
        init(children: [Nest]) { self.children = children }
        func write(to writer: inout BinaryWriter) { writer.array(children) }
        init(from reader: inout BinaryReader) throws(BinaryError) { children = try reader.array() }
    }
}

/// A reproducible random number generator (SplitMix64) for the mutations above.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
