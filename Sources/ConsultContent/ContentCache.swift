import ConsultEngine
import ConsultLocalization
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checked content kept between runs, so that a consultation starts without parsing the YAML and
/// checking it again (README, "Speed").
///
/// - An entry is found by its key, the SHA-256 of the program's build (its GNU build ID), of
///   every content file's name and bytes, and of how the files are named in diagnostics. Any
///   changed byte of any file, or another build of the program, is another key: an entry is
///   never stale, and a lint rule added by a new build is applied to content an older build
///   cached.
/// - Only content that loaded without errors is written (warnings are kept in it, as loading
///   returns them).
/// - An entry holds its key and, for each of its sections (the dialogs; each language's catalog),
///   the SHA-256 of the section's bytes, checked before the section is read. An entry cut short,
///   altered or written under another key is ignored (the caller logs why), loaded from the files
///   again and replaced; a language's section found altered when that language is first wanted
///   is read from the files instead and the entry removed. Reading checks what it reads as well,
///   and never crashes on bad input.
/// - The folder, and each entry, must be owned by root or by this user and not writable by its
///   group or others (the check the content's own folders pass, `ContentLocation`): an entry
///   anyone else could write is never read, and nothing is written to such a folder. Whoever
///   can write as this user can change the content files too: the cache trusts no one more.
/// - Entries are written to a temporary file and renamed into place, so that a reader sees a
///   whole entry or none; the eight most recent entries are kept.
public struct ContentCache: Sendable {
    /// The folder of entries (`~/.cache/consult`, ``resolve(environment:)``).
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The cache of this user: `$CONSULT_CACHE_DIR`, else `$XDG_CACHE_HOME/consult`, else
    /// `~/.cache/consult` (the account's home when `HOME` is not set, as for consult-sshd's
    /// children). Not the data directory: that holds the applicants' records, sealed ones among
    /// them, and nothing else belongs there; a cache is disposable, one per user and machine.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> ContentCache {
        if let folder = environment["CONSULT_CACHE_DIR"], !folder.isEmpty {
            return ContentCache(directory: URL(fileURLWithPath: folder))
        }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return ContentCache(directory: URL(fileURLWithPath: xdg).appendingPathComponent("consult"))
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return ContentCache(directory: URL(fileURLWithPath: home).appendingPathComponent(".cache/consult"))
    }

    /// What loading through the cache did, for the staff log and for tests.
    public enum Outcome: Equatable, Sendable {
        /// Read from the cache.
        case hit
        /// Loaded from the files and written to the cache; `replaced` says why an entry that was
        /// there could not be used.
        case stored(replaced: String?)
        /// Loaded from the files; the cache could not be used or written, and why.
        case notStored(String)
    }

    /// The content of `files`: from the cache when it holds an entry for them, else loaded and
    /// checked as `Content.load` does (and written to the cache when it has no errors).
    public func load(_ files: ContentFiles) throws(Content.Invalid) -> (content: Content, outcome: Outcome) {
        let key = Self.key(files)
        var replaced: String?
        if let key {
            switch read(key, files: files) {
            case .found(let content): return (content, .hit)
            case .absent: break
            case .unusable(let why): replaced = why
            case .unsafe(let why):
                return (try Content.load(files), .notStored(why))
            }
        }
        let content = try Content.load(files)
        guard let key else { return (content, .notStored("the program's build cannot be identified")) }
        if let problem = write(content, key: key) { return (content, .notStored(problem)) }
        return (content, .stored(replaced: replaced))
    }

    /// The forms a payload was measured in (README, "Speed": reading the shipped content back,
    /// warm and in a fresh process): the cache writes the binary form (`BinaryCodable`, written by
    /// hand), the fastest to read back by far, in sections (`entry(_:key:)`); the other two go
    /// through `Codable`, and are kept so that the choice can be measured again (`make bench`).
    public enum PayloadFormat: String, CaseIterable, Sendable {
        case json, binaryPropertyList, binary

        public func encode(_ content: Content) throws -> [UInt8] {
            switch self {
            case .json: return Array(try JSONEncoder().encode(content))
            case .binaryPropertyList:
                let encoder = PropertyListEncoder()
                encoder.outputFormat = .binary
                return Array(try encoder.encode(content))
            case .binary:
                var writer = BinaryWriter()
                content.write(to: &writer)
                return writer.finished()
            }
        }

        public func decode(_ bytes: [UInt8]) throws -> Content {
            switch self {
            case .json: return try JSONDecoder().decode(Content.self, from: Data(bytes))
            case .binaryPropertyList: return try PropertyListDecoder().decode(Content.self, from: Data(bytes))
            case .binary:
                var reader = try BinaryReader(bytes)
                let content = try Content(from: &reader)
                guard reader.isAtEnd else { throw reader.fail("bytes after the content") }
                return content
            }
        }
    }

    // MARK: - Keys

    /// Bump when the layout of an entry or the model's coding changes (the build ID changes too,
    /// but a build of the same sources must not read an older layout either).
    static let format = "consult content cache 3"

    /// The entry's key for `files`, in hex; nil when the program's build cannot be identified.
    static func key(_ files: ContentFiles, build: String? = BuildIdentity.current) -> String? {
        guard let build else { return nil }
        var hasher = SHA256()
        for part in [
            format, build, files.hash, Linter.displayPath(files.dialogsURL), Linter.displayPath(files.localesURL),
        ] {
            hasher.update(data: Data((part + "\n").utf8))
        }
        return ContentFiles.hex(hasher.finalize())
    }

    func entryURL(_ key: String) -> URL { directory.appendingPathComponent("\(key).content") }

    // MARK: - Entries

    /// "consult-content\n", the key (32 bytes), the number of sections (8 bytes, little-endian),
    /// then each section: its length (8 bytes), its payload and the SHA-256 of the payload (32
    /// bytes). Section 0 holds the dialogs, the diagnostics, the fallback language and the
    /// languages; then one section per language's catalog (`BinaryCodable` each). A section is
    /// checked against its digest before it is read: the dialogs and the fallback's catalog at
    /// once, another language's catalog when a consultation first needs it (most never do).
    static let magic = Array("consult-content\n".utf8)

    static func entry(_ content: Content, key: String) -> [UInt8]? {
        guard let keyBytes = bytes(hex: key) else { return nil }
        let languages = content.localizer.languages
        var main = BinaryWriter()
        main.value(content.dialogs)
        main.array(content.diagnostics)
        main.string(content.localizer.fallback)
        main.strings(languages)
        var sections = [main.finished()]
        for language in languages {
            guard let catalog = content.localizer.catalog(exactly: language) else { return nil }
            var writer = BinaryWriter()
            catalog.write(to: &writer)
            sections.append(writer.finished())
        }
        return entry(sections: sections, keyBytes: keyBytes)
    }

    static func entry(sections: [[UInt8]], keyBytes: [UInt8]) -> [UInt8] {
        var out = magic + keyBytes
        append64(UInt64(sections.count), to: &out)
        for section in sections {
            append64(UInt64(section.count), to: &out)
            out += section
            out += Array(SHA256.hash(data: section))
        }
        return out
    }

    private static func append64(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        for _ in 0..<8 {
            out.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    /// Where each section of an entry written for `key` lies (its payload, then its digest), or
    /// why the entry cannot be used. The digests are not checked here (`checked`).
    static func sections(_ entry: [UInt8], key: String) -> Result<[Range<Int>], Unusable> {
        func read64(_ at: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(entry[at + $1]) << (8 * UInt64($1)) }
        }
        let header = magic.count + 32 + 8
        guard entry.count >= header else { return .failure(.init("cut short (\(entry.count) bytes)")) }
        guard entry[0..<magic.count].elementsEqual(magic) else { return .failure(.init("not a cache entry")) }
        guard let keyBytes = bytes(hex: key), entry[magic.count..<(magic.count + 32)].elementsEqual(keyBytes) else {
            return .failure(.init("written under another key"))
        }
        let count = read64(magic.count + 32)
        guard count >= 1, count <= 64 else { return .failure(.init("not a cache entry (\(count) sections)")) }
        var sections: [Range<Int>] = []
        var at = header
        for _ in 0..<count {
            guard entry.count - at >= 8 else { return .failure(.init("cut short (\(entry.count) bytes)")) }
            let length = read64(at)
            at += 8
            guard length <= UInt64(entry.count - at), entry.count - at - Int(length) >= 32 else {
                return .failure(.init("cut short (\(entry.count) bytes)"))
            }
            sections.append(at..<(at + Int(length)))
            at += Int(length) + 32
        }
        guard at == entry.count else { return .failure(.init("extended past its last section (\(entry.count) bytes)")) }
        return .success(sections)
    }

    /// A section's payload once its digest (the 32 bytes after it) matches it.
    static func checked(_ entry: [UInt8], _ section: Range<Int>) -> [UInt8]? {
        let digest = SHA256.hash(data: entry[section])
        guard entry[section.upperBound..<(section.upperBound + 32)].elementsEqual(digest) else { return nil }
        return Array(entry[section])
    }

    struct Unusable: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = value(digits[i]), let low = value(digits[i + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }

    // MARK: - Reading and writing

    enum Read {
        case found(Content)
        case absent
        /// An entry that is there but cannot be used: it is replaced.
        case unusable(String)
        /// The folder (or the entry) could be written by others: the cache is not used at all.
        case unsafe(String)
    }

    func read(_ key: String, files: ContentFiles) -> Read {
        if let problem = unsafeFolder(mustExist: false) { return .unsafe(problem) }
        let url = entryURL(key)
        let fd = open(url.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            return errno == ENOENT ? .absent : .unusable("\(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            return .unusable("\(url.path): not a regular file")
        }
        if info.st_uid != 0 && info.st_uid != geteuid() || info.st_mode & 0o022 != 0 {
            return .unsafe(
                "\(url.path): owned by uid \(info.st_uid) with mode \(String(info.st_mode & 0o7777, radix: 8))")
        }
        guard let entry = Self.readAll(fd, size: Int(info.st_size)) else {
            return .unusable("\(url.path): \(String(cString: strerror(errno)))")
        }
        let sections: [Range<Int>]
        switch Self.sections(entry, key: key) {
        case .failure(let problem): return .unusable("\(url.path): \(problem.reason)")
        case .success(let found): sections = found
        }
        guard let main = Self.checked(entry, sections[0]) else {
            return .unusable("\(url.path): altered (its digest does not match its bytes)")
        }
        do throws(BinaryError) {
            var reader = try BinaryReader(main)
            let dialogs: DialogSet = try reader.value()
            let diagnostics: [Diagnostic] = try reader.array()
            let fallback = try reader.string()
            let languages = try reader.strings()
            guard reader.isAtEnd, languages.count == sections.count - 1, Set(languages).count == languages.count else {
                throw reader.fail("the languages do not match the sections")
            }
            var range: [String: Range<Int>] = [:]
            for (language, section) in zip(languages, sections.dropFirst()) { range[language] = section }
            // The fallback's catalog is wanted at once (the first screen); reading it now also
            // finds a bad section while the entry can still be replaced.
            var loaded: [Catalog] = []
            if let section = range[fallback] {
                guard let payload = Self.checked(entry, section), let catalog = try? Self.catalog(payload),
                    catalog.language == fallback
                else {
                    return .unusable("\(url.path): altered (its digest does not match its bytes)")
                }
                loaded.append(catalog)
            }
            let localizer = Localizer(languages: languages, fallback: fallback, loaded: loaded) { [range] language in
                // Checked and read at first use; one that cannot be is read from the very bytes the
                // entry's key names, and the entry is removed so that the next load replaces it.
                if let section = range[language], let payload = Self.checked(entry, section),
                    let catalog = try? Self.catalog(payload), catalog.language == language
                {
                    return catalog
                }
                unlink(url.path)
                return Self.catalogFromFiles(language, files)
            }
            return .found(Content(dialogs: dialogs, localizer: localizer, diagnostics: diagnostics))
        } catch {
            return .unusable("\(url.path): cannot be read back: \(error)")
        }
    }

    private static func catalog(_ payload: [UInt8]) throws(BinaryError) -> Catalog {
        var reader = try BinaryReader(payload)
        let catalog = try Catalog(from: &reader)
        guard reader.isAtEnd else { throw reader.fail("bytes after the catalog") }
        return catalog
    }

    /// `language`'s catalog loaded from its file, as loading the content loads it.
    static func catalogFromFiles(_ language: String, _ files: ContentFiles) -> Catalog {
        var ignored: [Diagnostic] = []
        let name = "\(language).yaml"
        if let (_, bytes) = files.locales.files.first(where: { $0.name == name }), let bytes,
            let text = String(bytes: bytes, encoding: .utf8),
            let catalog = CatalogLoader.load(
                texts: [(name, text)], folderIsEmpty: false, displayPrefix: Linter.displayPath(files.localesURL),
                typography: false, into: &ignored
            ).first
        {
            return catalog
        }
        // Content that was checked when it was cached loads again: this is never reached.
        return Catalog(
            language: language, name: language, formattingLocale: language, plurals: PluralRules(rules: []),
            yesWords: [], noWords: [], list: ListPatterns(pair: "{0}, {1}", middle: "{0}, {1}", last: "{0}, {1}"),
            messages: [:])
    }

    private static func readAll(_ fd: Int32, size: Int) -> [UInt8]? {
        // One byte more than the size says: an entry growing while it is read is seen as such.
        var bytes = [UInt8](repeating: 0, count: max(size, 0) + 1)
        var total = 0
        while total < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            total += n
        }
        return Array(bytes[0..<total])
    }

    /// Writes `content` under `key` (a temporary file renamed into place); why not, when it cannot.
    func write(_ content: Content, key: String) -> String? {
        if let problem = createFolder() { return problem }
        if let problem = unsafeFolder(mustExist: true) { return problem }
        guard let entry = Self.entry(content, key: key) else { return "a bad key" }
        let final = entryURL(key)
        let temporary = directory.appendingPathComponent(".\(key).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return "\(temporary.path): \(String(cString: strerror(errno)))" }
        var written = 0
        while written < entry.count {
            let n = entry.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let why = String(cString: strerror(errno))
                close(fd)
                unlink(temporary.path)
                return "\(temporary.path): \(why)"
            }
            written += n
        }
        close(fd)
        guard rename(temporary.path, final.path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary.path)
            return "\(final.path): \(why)"
        }
        prune(keeping: final.lastPathComponent)
        return nil
    }

    /// How many entries are kept: a kiosk whose content is edited makes one per edit.
    static let kept = 8

    /// Removes all but the most recent entries, and temporary files a crash left behind.
    private func prune(keeping newest: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var entries: [(name: String, time: Double)] = []
        let now = Date().timeIntervalSince1970
        for name in names {
            var info = stat()
            let path = directory.appendingPathComponent(name).path
            guard lstat(path, &info) == 0 else { continue }
            let time = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            if name.hasSuffix(".tmp") && name.hasPrefix(".") {
                if now - time > 3600 { unlink(path) }
            } else if name.hasSuffix(".content") && name != newest {
                entries.append((name, time))
            }
        }
        for (name, _) in entries.sorted(by: { $0.time > $1.time }).dropFirst(Self.kept - 1) {
            unlink(directory.appendingPathComponent(name).path)
        }
    }

    /// Makes the folder (and missing parents, mode 0700, as the data directory's are made).
    private func createFolder() -> String? {
        var missing: [URL] = []
        var folder = directory
        while folder.path != "/" && !FileManager.default.fileExists(atPath: folder.path) {
            missing.insert(folder, at: 0)
            folder = folder.deletingLastPathComponent()
        }
        for dir in missing where mkdir(dir.path, 0o700) != 0 && errno != EEXIST {
            return "cannot create \(dir.path): \(String(cString: strerror(errno)))"
        }
        return nil
    }

    /// Why the folder must not be used: someone other than root or this user owns it or its
    /// parent, or could write to it.
    private func unsafeFolder(mustExist: Bool) -> String? {
        var info = stat()
        if lstat(directory.path, &info) != 0 {
            return mustExist ? "\(directory.path): \(String(cString: strerror(errno)))" : nil
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "\(directory.path): not a folder" }
        do throws(ContentLocation.Unsafe) {
            try ContentLocation.check(directory.deletingLastPathComponent().path, isFolder: true)
            try ContentLocation.check(directory.path, isFolder: true)
        } catch {
            return error.description
        }
        // Unlike a content folder, a sticky cache folder is no better: others could add entries.
        if info.st_mode & 0o022 != 0 {
            return "\(directory.path): can be changed by others (mode \(String(info.st_mode & 0o7777, radix: 8)))"
        }
        return nil
    }
}

extension Content {
    /// Loads and checks files already read: what `load(dialogs:locales:)` does with the folders.
    public static func load(_ files: ContentFiles) throws(Invalid) -> Content {
        let report = Linter.lint(files, typography: false)
        guard let set = report.dialogs, !report.hasErrors else { throw Invalid(diagnostics: report.diagnostics) }
        return Content(dialogs: set, localizer: report.localizer, diagnostics: report.diagnostics)
    }
}

/// Which build of the program is running: its GNU build ID (a hash of the linked binary the
/// linker writes into it, read from the executable's notes), else the executable file's
/// identity (device, inode, size, time of change).
enum BuildIdentity {
    static let current: String? = {
        #if os(Linux)
            let path = "/proc/self/exe"
        #else
            let path = CommandLine.arguments.first ?? ""
        #endif
        if let id = buildID(path) { return "build-id " + ContentFiles.hex(id) }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if os(Linux)
            let changed = "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        #else
            let changed = "\(info.st_mtimespec.tv_sec).\(info.st_mtimespec.tv_nsec)"
        #endif
        return "executable \(info.st_dev) \(info.st_ino) \(info.st_size) \(changed)"
    }()

    /// The NT_GNU_BUILD_ID note of a 64-bit little-endian ELF file: a few small reads of its headers.
    static func buildID(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        func bytes(at offset: Int, count: Int) -> [UInt8]? {
            guard count > 0, count <= 1 << 20 else { return nil }
            var out = [UInt8](repeating: 0, count: count)
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return n == count ? out : nil
        }
        func integer(_ b: [UInt8], _ at: Int, _ size: Int) -> Int {
            (0..<size).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) }
        }
        // ELFCLASS64, ELFDATA2LSB.
        guard let header = bytes(at: 0, count: 64), header[0..<4].elementsEqual([0x7F, 0x45, 0x4C, 0x46]),
            header[4] == 2, header[5] == 1
        else { return nil }
        let tableOffset = integer(header, 32, 8)
        let entrySize = integer(header, 54, 2)
        let entries = integer(header, 56, 2)
        guard entrySize >= 56, entries < 256, let table = bytes(at: tableOffset, count: entrySize * entries) else {
            return nil
        }
        for i in 0..<entries where integer(table, i * entrySize, 4) == 4 {  // PT_NOTE
            guard
                let notes = bytes(
                    at: integer(table, i * entrySize + 8, 8), count: integer(table, i * entrySize + 32, 8))
            else { continue }
            var offset = 0
            while offset + 12 <= notes.count {
                let nameSize = integer(notes, offset, 4)
                let descriptionSize = integer(notes, offset + 4, 4)
                let type = integer(notes, offset + 8, 4)
                let name = offset + 12
                let description = name + (nameSize + 3) & ~3
                let next = description + (descriptionSize + 3) & ~3
                guard next <= notes.count else { break }
                // NT_GNU_BUILD_ID, named "GNU\0".
                if type == 3, nameSize == 4, notes[name..<(name + 4)].elementsEqual([0x47, 0x4E, 0x55, 0]),
                    descriptionSize > 0
                {
                    return Array(notes[description..<(description + descriptionSize)])
                }
                offset = next
            }
        }
        return nil
    }
}
