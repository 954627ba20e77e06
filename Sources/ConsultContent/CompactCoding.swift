/// A compact binary form of any `Codable` value, for the content cache: read back in a fraction
/// of the time of JSON or a binary property list (README, "Speed": the three were measured on the
/// shipped content), because it is read in one pass in the order it was written.
///
/// Layout: the string table (a count, then each string's length and UTF-8 bytes), then the value.
/// A value starts with a tag: nil, false, true, an integer (zigzag varint), a double (8 bytes),
/// a string (its index in the table, varint), a keyed container or an unkeyed one. A container
/// gives its length in bytes (4 bytes, little-endian) and, unkeyed, its count (4 bytes); a keyed
/// container's entries are a key (a string index) and a value. Every string, keys included, is
/// written once and every copy read back shares its storage.
///
/// Decoding reads the entries in the order they were written, as synthesized `Codable` code and
/// the model's own conformances do; a key asked for out of order is looked up in the container.
/// Input that is not what `CompactEncoder` wrote throws `DecodingError`, never crashes: the
/// cache also checks a digest before decoding, but the decoder does not rely on it.
enum CompactCoding {
    enum Tag: UInt8 {
        case null = 0, `false`, `true`, int, double, string, keyed, unkeyed
    }

    /// Containers nested deeper than this are refused (a decoder recursing on hostile input).
    static let maxDepth = 400
}

// MARK: - Encoding

final class CompactEncoder {
    fileprivate var bytes: [UInt8] = []
    fileprivate var stringIndex: [String: Int] = [:]
    fileprivate var strings: [String] = []
    /// The containers opened by the value being encoded: the offsets of their length fields.
    fileprivate var open: [Int] = []

    init() {
        bytes.reserveCapacity(1 << 16)
    }

    /// The bytes of `value`, string table first.
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = CompactEncoder()
        try encoder.encodeValue(value)
        var out: [UInt8] = []
        out.reserveCapacity(encoder.bytes.count + encoder.strings.count * 16)
        appendVarint(UInt64(encoder.strings.count), to: &out)
        for string in encoder.strings {
            let utf8 = string.utf8
            appendVarint(UInt64(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        }
        out.append(contentsOf: encoder.bytes)
        return out
    }

    fileprivate func encodeValue(_ value: some Encodable) throws {
        let mark = open.count
        let start = bytes.count
        try value.encode(to: Writer(encoder: self))
        // A value that wrote nothing (an empty struct): an empty keyed container stands for it.
        if bytes.count == start && open.count == mark {
            openContainer(.keyed)
        }
        closeContainers(downTo: mark)
    }

    fileprivate func closeContainers(downTo mark: Int) {
        while open.count > mark {
            let offset = open.removeLast()
            let length = bytes.count - (offset + 4)
            write32(UInt32(length), at: offset)
        }
    }

    fileprivate func openContainer(_ tag: CompactCoding.Tag) {
        bytes.append(tag.rawValue)
        open.append(bytes.count)
        bytes.append(contentsOf: [0, 0, 0, 0])
        if tag == .unkeyed { bytes.append(contentsOf: [0, 0, 0, 0]) }
    }

    fileprivate func write32(_ value: UInt32, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 16)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: value >> 24)
    }

    fileprivate func read32(at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }

    fileprivate func stringReference(_ string: String) {
        let index: Int
        if let known = stringIndex[string] {
            index = known
        } else {
            index = strings.count
            strings.append(string)
            stringIndex[string] = index
        }
        Self.appendVarint(UInt64(index), to: &bytes)
    }

    fileprivate func writeString(_ string: String) {
        bytes.append(CompactCoding.Tag.string.rawValue)
        stringReference(string)
    }

    fileprivate func writeInt(_ value: Int64) {
        bytes.append(CompactCoding.Tag.int.rawValue)
        Self.appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &bytes)
    }

    fileprivate func writeUInt(_ value: UInt64) throws {
        guard value <= UInt64(Int64.max) else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "an unsigned integer above Int64.max"))
        }
        writeInt(Int64(value))
    }

    fileprivate func writeBool(_ value: Bool) {
        bytes.append((value ? CompactCoding.Tag.true : .false).rawValue)
    }

    fileprivate func writeDouble(_ value: Double) {
        bytes.append(CompactCoding.Tag.double.rawValue)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    fileprivate func writeNil() {
        bytes.append(CompactCoding.Tag.null.rawValue)
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// The `Encoder` handed to values; everything it writes goes to the one byte buffer.
    fileprivate struct Writer: Encoder {
        let encoder: CompactEncoder
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            encoder.openContainer(.keyed)
            return KeyedEncodingContainer(Keyed<Key>(encoder: encoder, depth: encoder.open.count))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            encoder.openContainer(.unkeyed)
            return Unkeyed(encoder: encoder, countOffset: encoder.bytes.count - 4, depth: encoder.open.count)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: encoder) }
    }

    fileprivate struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: CompactEncoder
        /// How many containers are open with this one: those opened after it (nested containers
        /// of earlier entries) are closed before an entry is added.
        let depth: Int
        var codingPath: [any CodingKey] { [] }

        private func key(_ key: Key) {
            encoder.closeContainers(downTo: depth)
            encoder.stringReference(key.stringValue)
        }

        mutating func encodeNil(forKey k: Key) throws {
            key(k)
            encoder.writeNil()
        }
        mutating func encode(_ value: Bool, forKey k: Key) throws {
            key(k)
            encoder.writeBool(value)
        }
        mutating func encode(_ value: String, forKey k: Key) throws {
            key(k)
            encoder.writeString(value)
        }
        mutating func encode(_ value: Double, forKey k: Key) throws {
            key(k)
            encoder.writeDouble(value)
        }
        mutating func encode(_ value: Float, forKey k: Key) throws {
            key(k)
            encoder.writeDouble(Double(value))
        }
        mutating func encode(_ value: Int, forKey k: Key) throws {
            key(k)
            encoder.writeInt(Int64(value))
        }
        mutating func encode(_ value: Int8, forKey k: Key) throws {
            key(k)
            encoder.writeInt(Int64(value))
        }
        mutating func encode(_ value: Int16, forKey k: Key) throws {
            key(k)
            encoder.writeInt(Int64(value))
        }
        mutating func encode(_ value: Int32, forKey k: Key) throws {
            key(k)
            encoder.writeInt(Int64(value))
        }
        mutating func encode(_ value: Int64, forKey k: Key) throws {
            key(k)
            encoder.writeInt(value)
        }
        mutating func encode(_ value: UInt, forKey k: Key) throws {
            key(k)
            try encoder.writeUInt(UInt64(value))
        }
        mutating func encode(_ value: UInt8, forKey k: Key) throws {
            key(k)
            try encoder.writeUInt(UInt64(value))
        }
        mutating func encode(_ value: UInt16, forKey k: Key) throws {
            key(k)
            try encoder.writeUInt(UInt64(value))
        }
        mutating func encode(_ value: UInt32, forKey k: Key) throws {
            key(k)
            try encoder.writeUInt(UInt64(value))
        }
        mutating func encode(_ value: UInt64, forKey k: Key) throws {
            key(k)
            try encoder.writeUInt(value)
        }
        mutating func encode<T: Encodable>(_ value: T, forKey k: Key) throws {
            key(k)
            try encoder.encodeValue(value)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey k: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            key(k)
            return Writer(encoder: encoder).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey k: Key) -> any UnkeyedEncodingContainer {
            key(k)
            return Writer(encoder: encoder).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder {
            encoder.closeContainers(downTo: depth)
            encoder.stringReference("super")
            return Writer(encoder: encoder)
        }
        mutating func superEncoder(forKey k: Key) -> any Encoder {
            key(k)
            return Writer(encoder: encoder)
        }
    }

    fileprivate struct Unkeyed: UnkeyedEncodingContainer {
        let encoder: CompactEncoder
        let countOffset: Int
        /// As `Keyed.depth`.
        let depth: Int
        var count = 0
        var codingPath: [any CodingKey] { [] }

        init(encoder: CompactEncoder, countOffset: Int, depth: Int) {
            self.encoder = encoder
            self.countOffset = countOffset
            self.depth = depth
        }

        private mutating func counted() {
            encoder.closeContainers(downTo: depth)
            count += 1
            encoder.write32(UInt32(count), at: countOffset)
        }

        mutating func encodeNil() throws {
            counted()
            encoder.writeNil()
        }
        mutating func encode(_ value: Bool) throws {
            counted()
            encoder.writeBool(value)
        }
        mutating func encode(_ value: String) throws {
            counted()
            encoder.writeString(value)
        }
        mutating func encode(_ value: Double) throws {
            counted()
            encoder.writeDouble(value)
        }
        mutating func encode(_ value: Float) throws {
            counted()
            encoder.writeDouble(Double(value))
        }
        mutating func encode(_ value: Int) throws {
            counted()
            encoder.writeInt(Int64(value))
        }
        mutating func encode(_ value: Int8) throws {
            counted()
            encoder.writeInt(Int64(value))
        }
        mutating func encode(_ value: Int16) throws {
            counted()
            encoder.writeInt(Int64(value))
        }
        mutating func encode(_ value: Int32) throws {
            counted()
            encoder.writeInt(Int64(value))
        }
        mutating func encode(_ value: Int64) throws {
            counted()
            encoder.writeInt(value)
        }
        mutating func encode(_ value: UInt) throws {
            counted()
            try encoder.writeUInt(UInt64(value))
        }
        mutating func encode(_ value: UInt8) throws {
            counted()
            try encoder.writeUInt(UInt64(value))
        }
        mutating func encode(_ value: UInt16) throws {
            counted()
            try encoder.writeUInt(UInt64(value))
        }
        mutating func encode(_ value: UInt32) throws {
            counted()
            try encoder.writeUInt(UInt64(value))
        }
        mutating func encode(_ value: UInt64) throws {
            counted()
            try encoder.writeUInt(value)
        }
        mutating func encode<T: Encodable>(_ value: T) throws {
            counted()
            try encoder.encodeValue(value)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type
        ) -> KeyedEncodingContainer<NestedKey> {
            counted()
            return Writer(encoder: encoder).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            counted()
            return Writer(encoder: encoder).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder {
            counted()
            return Writer(encoder: encoder)
        }
    }

    fileprivate struct Single: SingleValueEncodingContainer {
        let encoder: CompactEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { encoder.writeNil() }
        mutating func encode(_ value: Bool) throws { encoder.writeBool(value) }
        mutating func encode(_ value: String) throws { encoder.writeString(value) }
        mutating func encode(_ value: Double) throws { encoder.writeDouble(value) }
        mutating func encode(_ value: Float) throws { encoder.writeDouble(Double(value)) }
        mutating func encode(_ value: Int) throws { encoder.writeInt(Int64(value)) }
        mutating func encode(_ value: Int8) throws { encoder.writeInt(Int64(value)) }
        mutating func encode(_ value: Int16) throws { encoder.writeInt(Int64(value)) }
        mutating func encode(_ value: Int32) throws { encoder.writeInt(Int64(value)) }
        mutating func encode(_ value: Int64) throws { encoder.writeInt(value) }
        mutating func encode(_ value: UInt) throws { try encoder.writeUInt(UInt64(value)) }
        mutating func encode(_ value: UInt8) throws { try encoder.writeUInt(UInt64(value)) }
        mutating func encode(_ value: UInt16) throws { try encoder.writeUInt(UInt64(value)) }
        mutating func encode(_ value: UInt32) throws { try encoder.writeUInt(UInt64(value)) }
        mutating func encode(_ value: UInt64) throws { try encoder.writeUInt(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
    }
}

// MARK: - Decoding

final class CompactDecoder {
    private let bytes: [UInt8]
    fileprivate var position: Int
    fileprivate var strings: [String] = []
    fileprivate var depth = 0
    /// Where each open keyed container (known by where its entries start) reads its next entry.
    fileprivate var cursors: [(start: Int, next: Int)] = []

    private init(bytes: [UInt8]) {
        self.bytes = bytes
        position = 0
    }

    /// The value `CompactEncoder.encode` wrote into `bytes`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let decoder = CompactDecoder(bytes: bytes)
        try decoder.readStringTable()
        guard try decoder.end(ofValueAt: decoder.position) == bytes.count else {
            throw decoder.corrupt("bytes after the value")
        }
        return try decoder.decodeValue(T.self)
    }

    private func readStringTable() throws {
        let count = try readVarint()
        guard count <= UInt64(bytes.count) else { throw corrupt("a string table longer than the data") }
        strings.reserveCapacity(Int(count))
        for _ in 0..<count {
            let length = try readVarint()
            guard length <= UInt64(bytes.count - position) else { throw corrupt("a string past the end") }
            let end = position + Int(length)
            strings.append(String(decoding: bytes[position..<end], as: UTF8.self))
            position = end
        }
    }

    fileprivate func corrupt(_ why: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "not a compact encoding: \(why) at byte \(position)"))
    }

    fileprivate func mismatch(_ expected: String) -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: [], debugDescription: "expected \(expected) at byte \(position)"))
    }

    fileprivate func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw corrupt("the end came early") }
        let byte = bytes[position]
        position += 1
        return byte
    }

    fileprivate func peekByte() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    fileprivate func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64 else { throw corrupt("a varint too long") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    fileprivate func read32() throws -> Int {
        guard bytes.count - position >= 4 else { throw corrupt("the end came early") }
        let value =
            UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16
            | UInt32(bytes[position + 3]) << 24
        position += 4
        return Int(value)
    }

    fileprivate func stringAt(_ index: UInt64) throws -> String {
        guard index < UInt64(strings.count) else { throw corrupt("a string index out of range") }
        return strings[Int(index)]
    }

    fileprivate func expect(_ tag: CompactCoding.Tag, _ what: String) throws {
        guard try readByte() == tag.rawValue else {
            position -= 1
            throw mismatch(what)
        }
    }

    fileprivate func readString() throws -> String {
        try expect(.string, "a string")
        return try stringAt(try readVarint())
    }

    fileprivate func readInt() throws -> Int64 {
        try expect(.int, "an integer")
        let raw = try readVarint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    fileprivate func readInteger<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let value = try readInt()
        guard let exact = T(exactly: value) else { throw mismatch("an integer that fits \(T.self)") }
        return exact
    }

    fileprivate func readBool() throws -> Bool {
        switch try readByte() {
        case CompactCoding.Tag.true.rawValue: return true
        case CompactCoding.Tag.false.rawValue: return false
        default:
            position -= 1
            throw mismatch("true or false")
        }
    }

    fileprivate func readDouble() throws -> Double {
        try expect(.double, "a number")
        guard bytes.count - position >= 8 else { throw corrupt("the end came early") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Double(bitPattern: bits)
    }

    fileprivate func readNil() -> Bool {
        if peekByte() == CompactCoding.Tag.null.rawValue {
            position += 1
            return true
        }
        return false
    }

    /// Opens a container: where it ends (and, unkeyed, its count).
    fileprivate func openContainer(_ tag: CompactCoding.Tag) throws -> (end: Int, count: Int) {
        try expect(tag, tag == .keyed ? "a keyed container" : "a list")
        let length = try read32()
        let count = tag == .unkeyed ? try read32() : 0
        guard length <= bytes.count - position + (tag == .unkeyed ? 4 : 0) else {
            throw corrupt("a container longer than the data")
        }
        return (position - (tag == .unkeyed ? 4 : 0) + length, count)
    }

    /// Moves past one value, whatever it is.
    fileprivate func skipValue() throws {
        switch try readByte() {
        case CompactCoding.Tag.null.rawValue, CompactCoding.Tag.false.rawValue, CompactCoding.Tag.true.rawValue: break
        case CompactCoding.Tag.int.rawValue, CompactCoding.Tag.string.rawValue: _ = try readVarint()
        case CompactCoding.Tag.double.rawValue:
            guard bytes.count - position >= 8 else { throw corrupt("the end came early") }
            position += 8
        case CompactCoding.Tag.keyed.rawValue, CompactCoding.Tag.unkeyed.rawValue:
            let length = try read32()
            guard length <= bytes.count - position else { throw corrupt("a container longer than the data") }
            position += length
        default:
            position -= 1
            throw corrupt("an unknown tag")
        }
    }

    fileprivate func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        // The common leaves without going through `init(from:)`.
        if T.self == String.self { return try readString() as! T }
        if T.self == Int.self { return try readInteger(Int.self) as! T }
        if T.self == Bool.self { return try readBool() as! T }
        depth += 1
        defer { depth -= 1 }
        guard depth <= CompactCoding.maxDepth else { throw corrupt("values nested too deeply") }
        return try T(from: Reader(decoder: self))
    }

    /// The position after the value at `position`.
    fileprivate func end(ofValueAt start: Int) throws -> Int {
        let here = position
        defer { position = here }
        position = start
        try skipValue()
        return position
    }

    fileprivate struct Reader: Decoder {
        let decoder: CompactDecoder
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            let (end, _) = try decoder.openContainer(.keyed)
            return KeyedDecodingContainer(Keyed<Key>(decoder: decoder, start: decoder.position, end: end))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let (end, count) = try decoder.openContainer(.unkeyed)
            return Unkeyed(decoder: decoder, position: decoder.position, end: end, total: count)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(decoder: decoder) }
    }

    /// A keyed container read in order: each entry's key is compared with the key asked for, and
    /// only a key asked for out of order makes the container be searched. Where the next entry
    /// starts is kept on the decoder's stack of cursors (a container is a value handed out by copy,
    /// and one more allocation per container is what this format saves).
    fileprivate struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: CompactDecoder
        /// Where the first entry and the container end.
        let start: Int
        let end: Int
        /// This container's place on the decoder's stack of cursors.
        let slot: Int
        var codingPath: [any CodingKey] { [] }

        init(decoder: CompactDecoder, start: Int, end: Int) {
            self.decoder = decoder
            self.start = start
            self.end = end
            slot = decoder.cursors.count
            decoder.cursors.append((start, start))
        }

        /// Where the next entry starts, nil when this container's cursor is gone (used again after
        /// its parent): containers opened after this one are done with.
        private var cursor: Int? {
            guard slot < decoder.cursors.count, decoder.cursors[slot].start == start else { return nil }
            if decoder.cursors.count > slot + 1 { decoder.cursors.removeSubrange((slot + 1)...) }
            return decoder.cursors[slot].next
        }

        private func moveCursor(to next: Int) {
            if slot < decoder.cursors.count, decoder.cursors[slot].start == start { decoder.cursors[slot].next = next }
        }

        var allKeys: [Key] {
            var keys: [Key] = []
            var at = start
            while at < end {
                decoder.position = at
                guard let index = try? decoder.readVarint(), let name = try? decoder.stringAt(index),
                    let next = try? decoder.end(ofValueAt: decoder.position)
                else { return keys }
                if let key = Key(stringValue: name) { keys.append(key) }
                at = next
            }
            return keys
        }

        /// Where `name`'s value starts and ends: at the cursor when entries are read in order,
        /// else wherever it is in the container; nil when the container has no such entry.
        private func seek(_ name: String) throws -> (start: Int, end: Int)? {
            if let next = cursor, next < end {
                decoder.position = next
                if try decoder.stringAt(try decoder.readVarint()) == name {
                    return (decoder.position, try decoder.end(ofValueAt: decoder.position))
                }
            }
            var at = start
            while at < end {
                decoder.position = at
                let found = try decoder.stringAt(try decoder.readVarint()) == name
                let valueStart = decoder.position
                at = try decoder.end(ofValueAt: valueStart)
                if found { return (valueStart, at) }
            }
            return nil
        }

        /// Reads `key`'s value with `read`, the decoder positioned at it; the cursor moves past it.
        private func value<T>(_ key: Key, _ read: () throws -> T) throws -> T {
            guard let (valueStart, valueEnd) = try seek(key.stringValue) else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: [], debugDescription: "no value for '\(key.stringValue)'"))
            }
            moveCursor(to: valueEnd)
            decoder.position = valueStart
            let result = try read()
            decoder.position = valueEnd
            return result
        }

        /// Reads `key`'s value with `read` if it is there and not nil.
        private func valueIfPresent<T>(_ key: Key, _ read: () throws -> T) throws -> T? {
            guard let (valueStart, valueEnd) = try seek(key.stringValue) else { return nil }
            moveCursor(to: valueEnd)
            decoder.position = valueStart
            defer { decoder.position = valueEnd }
            return decoder.readNil() ? nil : try read()
        }

        func contains(_ key: Key) -> Bool {
            (try? seek(key.stringValue)) != nil
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            guard let (valueStart, _) = try seek(key.stringValue) else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: [], debugDescription: "no value for '\(key.stringValue)'"))
            }
            decoder.position = valueStart
            return decoder.readNil()
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key, decoder.readBool) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key, decoder.readString) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key, decoder.readDouble) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
            Float(try value(key, decoder.readDouble))
        }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
            try value(key) { try decoder.readInteger(Int.self) }
        }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
            try value(key) { try decoder.readInteger(Int8.self) }
        }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
            try value(key) { try decoder.readInteger(Int16.self) }
        }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
            try value(key) { try decoder.readInteger(Int32.self) }
        }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(key, decoder.readInt) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
            try value(key) { try decoder.readInteger(UInt.self) }
        }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
            try value(key) { try decoder.readInteger(UInt8.self) }
        }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
            try value(key) { try decoder.readInteger(UInt16.self) }
        }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
            try value(key) { try decoder.readInteger(UInt32.self) }
        }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
            try value(key) { try decoder.readInteger(UInt64.self) }
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try value(key) { try decoder.decodeValue(T.self) }
        }

        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
            try valueIfPresent(key, decoder.readString)
        }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
            try valueIfPresent(key) { try decoder.readInteger(Int.self) }
        }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
            try valueIfPresent(key, decoder.readBool)
        }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            try valueIfPresent(key) { try decoder.decodeValue(T.self) }
        }

        /// A container or decoder for `name`'s value; the cursor moves past it at once, as the
        /// nested container keeps its own.
        private func nested(_ name: String) throws -> CompactDecoder.Reader {
            guard let (valueStart, valueEnd) = try seek(name) else {
                throw DecodingError.valueNotFound(
                    Any.self, .init(codingPath: [], debugDescription: "no value for '\(name)'"))
            }
            moveCursor(to: valueEnd)
            decoder.position = valueStart
            return Reader(decoder: decoder)
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            try nested(key.stringValue).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try nested(key.stringValue).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { try nested("super") }

        func superDecoder(forKey key: Key) throws -> any Decoder { try nested(key.stringValue) }
    }

    /// A list read from first to last: its own position, each value's end known before it is read.
    fileprivate struct Unkeyed: UnkeyedDecodingContainer {
        let decoder: CompactDecoder
        var position: Int
        let end: Int
        let total: Int
        var currentIndex = 0
        var codingPath: [any CodingKey] { [] }

        init(decoder: CompactDecoder, position: Int, end: Int, total: Int) {
            self.decoder = decoder
            self.position = position
            self.end = end
            self.total = total
        }

        var count: Int? { total }
        var isAtEnd: Bool { currentIndex >= total || position >= end }

        /// Reads the next value with `read`, the decoder positioned at it.
        private mutating func next<T>(_ read: (CompactDecoder) throws -> T) throws -> T {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    Any.self, .init(codingPath: [], debugDescription: "the list has no more values"))
            }
            let valueEnd = try decoder.end(ofValueAt: position)
            decoder.position = position
            let result = try read(decoder)
            currentIndex += 1
            position = valueEnd
            decoder.position = valueEnd
            return result
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else { return false }
            decoder.position = position
            guard decoder.readNil() else { return false }
            currentIndex += 1
            position = decoder.position
            return true
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool { try next { try $0.readBool() } }
        mutating func decode(_ type: String.Type) throws -> String { try next { try $0.readString() } }
        mutating func decode(_ type: Double.Type) throws -> Double { try next { try $0.readDouble() } }
        mutating func decode(_ type: Float.Type) throws -> Float { Float(try next { try $0.readDouble() }) }
        mutating func decode(_ type: Int.Type) throws -> Int { try next { try $0.readInteger(Int.self) } }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try $0.readInteger(Int8.self) } }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try $0.readInteger(Int16.self) } }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try $0.readInteger(Int32.self) } }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try $0.readInt() } }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try $0.readInteger(UInt.self) } }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try $0.readInteger(UInt8.self) } }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
            try next { try $0.readInteger(UInt16.self) }
        }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
            try next { try $0.readInteger(UInt32.self) }
        }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
            try next { try $0.readInteger(UInt64.self) }
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next { try $0.decodeValue(T.self) } }

        /// A container or decoder for the next value; this list's position moves past it at once.
        private mutating func nested() throws -> CompactDecoder.Reader {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    Any.self, .init(codingPath: [], debugDescription: "the list has no more values"))
            }
            let valueEnd = try decoder.end(ofValueAt: position)
            decoder.position = position
            currentIndex += 1
            position = valueEnd
            return Reader(decoder: decoder)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type
        ) throws -> KeyedDecodingContainer<NestedKey> {
            try nested().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try nested().unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder { try nested() }
    }

    fileprivate struct Single: SingleValueDecodingContainer {
        let decoder: CompactDecoder
        var codingPath: [any CodingKey] { [] }

        func decodeNil() -> Bool { decoder.readNil() }
        func decode(_ type: Bool.Type) throws -> Bool { try decoder.readBool() }
        func decode(_ type: String.Type) throws -> String { try decoder.readString() }
        func decode(_ type: Double.Type) throws -> Double { try decoder.readDouble() }
        func decode(_ type: Float.Type) throws -> Float { Float(try decoder.readDouble()) }
        func decode(_ type: Int.Type) throws -> Int { try decoder.readInteger(Int.self) }
        func decode(_ type: Int8.Type) throws -> Int8 { try decoder.readInteger(Int8.self) }
        func decode(_ type: Int16.Type) throws -> Int16 { try decoder.readInteger(Int16.self) }
        func decode(_ type: Int32.Type) throws -> Int32 { try decoder.readInteger(Int32.self) }
        func decode(_ type: Int64.Type) throws -> Int64 { try decoder.readInt() }
        func decode(_ type: UInt.Type) throws -> UInt { try decoder.readInteger(UInt.self) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.readInteger(UInt8.self) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.readInteger(UInt16.self) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.readInteger(UInt32.self) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.readInteger(UInt64.self) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(T.self) }
    }
}
