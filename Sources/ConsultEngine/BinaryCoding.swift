/// A compact binary form of the model, written and read by hand: what the content cache keeps
/// (`ConsultContent`'s `ContentCache`). Each type writes its fields in a fixed order and reads
/// them back in that order (`BinaryCodable`), so reading is one pass with no keys, no lookups and
/// none of the runtime type checks `Codable`'s generic containers make at their first use, which
/// in a fresh process cost more than the reading itself (README, "Speed").
///
/// Layout: the string table (a count, then each string's length and UTF-8 bytes), then the value.
/// Integers are zigzag varints; a string is its index in the table, so each is written once and
/// every copy read back shares one storage; an optional is a 0 or a 1 before the value; a list
/// is its count, then its items; an enum's case is a small integer before its values.
///
/// A reader never trusts its input: an index out of range, a count larger than what is left, a
/// case it does not know, or nesting deeper than `BinaryReader.maxDepth` throws `BinaryError`.
public protocol BinaryCodable {
    func write(to writer: inout BinaryWriter)
    init(from reader: inout BinaryReader) throws(BinaryError)
}

/// Input that is not what `BinaryWriter` wrote: what, and where.
public struct BinaryError: Error, CustomStringConvertible, Sendable {
    public let problem: String
    public let offset: Int

    public init(_ problem: String, at offset: Int) {
        self.problem = problem
        self.offset = offset
    }

    public var description: String { "\(problem) at byte \(offset)" }
}

public struct BinaryWriter {
    private var body: [UInt8] = []
    private var index: [String: Int] = [:]
    private var table: [String] = []

    public init() {
        body.reserveCapacity(1 << 16)
    }

    /// The string table, then everything written.
    public func finished() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + table.count * 24)
        Self.varint(Self.zigzag(table.count), into: &out)
        for string in table {
            let utf8 = string.utf8
            Self.varint(Self.zigzag(utf8.count), into: &out)
            out.append(contentsOf: utf8)
        }
        out.append(contentsOf: body)
        return out
    }

    static func varint(_ value: UInt64, into bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    static func zigzag(_ value: Int) -> UInt64 {
        let v = Int64(value)
        return UInt64(bitPattern: (v << 1) ^ (v >> 63))
    }

    /// An integer (zigzag varint); counts and enum cases are written with it too.
    public mutating func int(_ value: Int) {
        Self.varint(Self.zigzag(value), into: &body)
    }

    public mutating func bool(_ value: Bool) {
        body.append(value ? 1 : 0)
    }

    public mutating func string(_ value: String) {
        let at: Int
        if let known = index[value] {
            at = known
        } else {
            at = table.count
            table.append(value)
            index[value] = at
        }
        Self.varint(UInt64(at), into: &body)
    }

    public mutating func value(_ value: some BinaryCodable) {
        value.write(to: &self)
    }

    public mutating func optional<T>(_ value: T?, _ write: (inout BinaryWriter, T) -> Void) {
        if let value {
            body.append(1)
            write(&self, value)
        } else {
            body.append(0)
        }
    }

    public mutating func optional(_ value: (some BinaryCodable)?) {
        optional(value) { $1.write(to: &$0) }
    }

    public mutating func array<T>(_ values: some Collection<T>, _ write: (inout BinaryWriter, T) -> Void) {
        int(values.count)
        for value in values { write(&self, value) }
    }

    public mutating func array(_ values: [some BinaryCodable]) {
        array(values) { $1.write(to: &$0) }
    }

    public mutating func strings(_ values: some Collection<String>) {
        array(values) { $0.string($1) }
    }

    /// A dictionary as its pairs, in the dictionary's order (sorting them made writing an entry
    /// twice as long, and nothing needs the same bytes twice).
    public mutating func dictionary<K, V>(
        _ values: [K: V], _ writeKey: (inout BinaryWriter, K) -> Void, _ writeValue: (inout BinaryWriter, V) -> Void
    ) {
        int(values.count)
        for (key, value) in values {
            writeKey(&self, key)
            writeValue(&self, value)
        }
    }
}

public struct BinaryReader {
    private let bytes: [UInt8]
    private var position = 0
    private var table: [String] = []
    private var depth = 0

    /// Values nested deeper than this are refused (an expression is at most 64 levels deep).
    public static let maxDepth = 256

    /// Reads the string table at the start of `bytes`.
    public init(_ bytes: [UInt8]) throws(BinaryError) {
        self.bytes = bytes
        let count = try count()
        table.reserveCapacity(count)
        for _ in 0..<count {
            let length = try self.count()
            let end = position + length
            table.append(String(decoding: bytes[position..<end], as: UTF8.self))
            position = end
        }
    }

    public var isAtEnd: Bool { position == bytes.count }

    public func fail(_ problem: String) -> BinaryError { BinaryError(problem, at: position) }

    private mutating func byte() throws(BinaryError) -> UInt8 {
        guard position < bytes.count else { throw fail("the end came early") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func varint() throws(BinaryError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw fail("a number too long") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    public mutating func int() throws(BinaryError) -> Int {
        let raw = try varint()
        return Int(truncatingIfNeeded: Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1))
    }

    /// A count: not negative, and not more than the bytes left could hold.
    public mutating func count() throws(BinaryError) -> Int {
        let count = try int()
        guard count >= 0, count <= bytes.count - position else { throw fail("a count larger than what is left") }
        return count
    }

    public mutating func bool() throws(BinaryError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw fail("not a yes/no")
        }
    }

    public mutating func string() throws(BinaryError) -> String {
        let at = try varint()
        guard at < UInt64(table.count) else { throw fail("a string index out of range") }
        return table[Int(at)]
    }

    /// An enum's case, written with `int`: `0..<cases`.
    public mutating func choice(_ cases: Int) throws(BinaryError) -> Int {
        let value = try int()
        guard (0..<cases).contains(value) else { throw fail("an unknown case \(value)") }
        return value
    }

    public mutating func value<T: BinaryCodable>(_: T.Type = T.self) throws(BinaryError) -> T {
        try nested { (reader: inout BinaryReader) throws(BinaryError) in try T(from: &reader) }
    }

    /// Reads with `read` one level deeper: what recurses reads through this (or `value`).
    public mutating func nested<T>(_ read: (inout BinaryReader) throws(BinaryError) -> T) throws(BinaryError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw fail("values nested too deeply") }
        return try read(&self)
    }

    public mutating func optional<T>(_ read: (inout BinaryReader) throws(BinaryError) -> T) throws(BinaryError) -> T? {
        try bool() ? try read(&self) : nil
    }

    public mutating func optional<T: BinaryCodable>(_: T.Type = T.self) throws(BinaryError) -> T? {
        try optional { (reader: inout BinaryReader) throws(BinaryError) in try reader.value(T.self) }
    }

    public mutating func array<T>(_ read: (inout BinaryReader) throws(BinaryError) -> T) throws(BinaryError) -> [T] {
        let count = try count()
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try read(&self)) }
        return values
    }

    public mutating func array<T: BinaryCodable>(_: T.Type = T.self) throws(BinaryError) -> [T] {
        try array { (reader: inout BinaryReader) throws(BinaryError) in try reader.value(T.self) }
    }

    public mutating func strings() throws(BinaryError) -> [String] {
        try array { (reader: inout BinaryReader) throws(BinaryError) in try reader.string() }
    }

    public mutating func dictionary<K: Hashable, V>(
        _ readKey: (inout BinaryReader) throws(BinaryError) -> K,
        _ readValue: (inout BinaryReader) throws(BinaryError) -> V
    ) throws(BinaryError) -> [K: V] {
        let count = try count()
        var values: [K: V] = [:]
        values.reserveCapacity(count)
        for _ in 0..<count {
            let key = try readKey(&self)
            values[key] = try readValue(&self)
        }
        return values
    }
}
