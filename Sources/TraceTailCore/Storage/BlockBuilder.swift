/// Builds one block's payload record by record (the layout is `BlockCodec`'s). Each record is
/// encoded once, when appended; `payload()` only puts the parts together. So a block that stays
/// open across commits costs its records' encoding once, not once per commit.
package struct BlockBuilder: Sendable {
    package private(set) var count = 0
    package private(set) var rawBytes = 0
    package private(set) var minTime = Int64.max
    package private(set) var maxTime = Int64.min
    package private(set) var firstOffset: Int64 = 0
    package private(set) var endOffset: Int64 = 0
    private var keys: [IDKey] = []
    private var keyIndex = KeyIndex()
    private var values = IDTextCodec.Values()
    private var table: [UInt8] = []
    private var text: [UInt8] = []
    private var previousTime: Int64 = 0
    private var previousEnd: Int64 = 0

    package init() {}

    package init(_ records: [IndexedRecord]) {
        self.init()
        for record in records { append(record) }
    }

    /// Distinct trace ids: the block's index rows.
    package var traces: Set<IDKey> { Set(keys.lazy.filter { $0.kind == .trace || $0.kind == .traceOpaque }) }

    /// Distinct span (and parent span), workflow and task ids: what the block's filter holds.
    package var others: Set<IDKey> { Set(keys.lazy.filter { BlockFilter.covers($0.kind) }) }

    package var filter: BlockFilter { BlockFilter(keys: keys.filter { BlockFilter.covers($0.kind) }) }

    package mutating func append(_ record: IndexedRecord) {
        if count == 0 { firstOffset = record.startOffset }
        count += 1
        rawBytes += record.raw.count
        minTime = min(minTime, record.time)
        maxTime = max(maxTime, record.time)
        endOffset = record.endOffset

        Varint.appendSigned(record.time - previousTime, to: &table)
        previousTime = record.time
        table.append(record.level?.rawValue ?? 0)
        table.append(record.truncated ? 1 : 0)
        Varint.appendSigned(record.startOffset - previousEnd, to: &table)
        Varint.append(UInt64(max(0, record.endOffset - record.startOffset)), to: &table)
        previousEnd = record.endOffset
        Varint.append(reference(record.trace), to: &table)
        Varint.append(reference(record.span), to: &table)
        Varint.append(reference(record.parentSpan), to: &table)
        Varint.append(reference(record.workflow), to: &table)
        Varint.append(reference(record.task), to: &table)
        Varint.append(UInt64(record.otherTraces.count), to: &table)
        for other in record.otherTraces { Varint.append(reference(other), to: &table) }
        let before = text.count
        IDTextCodec.encode(record.raw, fields: IDTextCodec.Fields(record), values: &values, into: &text)
        Varint.append(UInt64(text.count - before), to: &table)
    }

    /// 0: none; 1: the next key not used yet; k + 2: key k.
    private mutating func reference(_ key: IDKey?) -> UInt64 {
        guard let key else { return 0 }
        if let index = keyIndex.find(key, in: keys) { return UInt64(index + 2) }
        keyIndex.insert(key, at: keys.count)
        keys.append(key)
        return 1
    }

    /// The block as the store keeps it (version 4, `BlockCodec`'s stored form): the key values as
    /// they are, then the rest deflated at `level` (libdeflate's levels).
    package func stored(level: Int32) throws -> StoredBlock {
        var stream: [UInt8] = [BlockCodec.framedVersion]
        stream.reserveCapacity(table.count + text.count + keys.count + values.wide.count * 16 + values.narrow.count * 8 + 32)
        Varint.append(UInt64(count), to: &stream)
        Varint.append(UInt64(keys.count), to: &stream)
        var keySection: [UInt8] = []
        keySection.reserveCapacity(keys.count * 16)
        for key in keys {
            if key.text == nil, key.kind.width == 16, let packed = PackedUUID(high: key.high, low: key.low) {
                stream.append(key.kind.rawValue | BlockCodec.packedFlag | packed.leftover << 4)
                Self.appendBigEndian(packed.high56 << 8, to: &keySection, bytes: 7)
                Self.appendBigEndian(packed.low, to: &keySection)
            } else {
                stream.append(key.kind.rawValue)
                Self.appendValue(of: key, to: &keySection)
            }
        }
        appendValues(to: &stream)
        stream.append(contentsOf: table)
        stream.append(contentsOf: text)
        // Compressed into the pool's buffer, then copied into an array of the block's exact size:
        // a block waits in memory to be written, and deflate's output bound is about the
        // payload's size, eight times the block's.
        let data = try Zlib.withDeflated(stream, level: level) { compressed in
            var data: [UInt8] = []
            data.reserveCapacity(1 + 10 + 4 + keySection.count + compressed.count)
            data.append(BlockCodec.framedMarker)
            Varint.append(UInt64(keySection.count), to: &data)
            Self.appendBigEndian(UInt64(keySection.withUnsafeBytes(Zlib.crc32)) << 32, to: &data, bytes: 4)
            data.append(contentsOf: keySection)
            data.append(contentsOf: compressed)
            return data
        }
        return StoredBlock(data: data, payloadBytes: stream.count)
    }

    /// The text ids' values: their counts, then 128-bit ones, then 64-bit ones, big-endian.
    private func appendValues(to out: inout [UInt8]) {
        Varint.append(UInt64(values.wide.count), to: &out)
        Varint.append(UInt64(values.narrow.count), to: &out)
        for (high, low) in values.wide {
            Self.appendBigEndian(high, to: &out)
            Self.appendBigEndian(low, to: &out)
        }
        for value in values.narrow { Self.appendBigEndian(value, to: &out) }
    }

    /// The payload of version 3, one deflate stream with the key values inside it, as
    /// `BlockCodec.decode(_:matching:texts:)` reads it (not compressed). Stores written before
    /// version 4 hold such blocks; the tests make them with this to show they still read. It
    /// shares the record table with version 4: a change to the table that version 3 did not
    /// have must not reach this payload, or it would be a version 3 block that is not one.
    package func version3Payload() -> [UInt8] {
        var out: [UInt8] = [BlockCodec.version]
        out.reserveCapacity(table.count + text.count + keys.count * 17 + values.wide.count * 16 + values.narrow.count * 8 + 32)
        Varint.append(UInt64(count), to: &out)
        Varint.append(UInt64(keys.count), to: &out)
        for key in keys { out.append(key.kind.rawValue) }
        for key in keys { Self.appendValue(of: key, to: &out) }
        appendValues(to: &out)
        out.append(contentsOf: table)
        out.append(contentsOf: text)
        return out
    }

    /// A key's value unpacked, as both versions write it: a varint length and UTF-8 for an opaque
    /// id, 16 or 8 bytes big-endian for a binary one.
    private static func appendValue(of key: IDKey, to out: inout [UInt8]) {
        if let opaque = key.text {
            Varint.append(UInt64(opaque.utf8.count), to: &out)
            out.append(contentsOf: opaque.utf8)
        } else {
            appendBigEndian(key.high, to: &out)
            if key.kind.width == 16 { appendBigEndian(key.low, to: &out) }
        }
    }

    /// The first `bytes` bytes of `value`, big-endian.
    @inline(__always)
    private static func appendBigEndian(_ value: UInt64, to out: inout [UInt8], bytes: Int = 8) {
        for shift in stride(from: 56, to: 56 - bytes * 8, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}

/// A block as stored: the bytes of its `data` column and the size of its deflate stream inflated
/// (`payload_bytes`).
package struct StoredBlock: Sendable {
    package var data: [UInt8]
    package var payloadBytes: Int

    package init(data: [UInt8], payloadBytes: Int) {
        self.data = data
        self.payloadBytes = payloadBytes
    }
}

/// A version 4 UUID (RFC 9562: version nibble 4, variant bits 10) in 122 bits: 15 bytes and 2
/// bits. Random ids are stored outside the deflate stream, which could not make them smaller;
/// but deflate did take the 6 fixed bits of each UUID out (5 % of the bytes of a UUID key
/// section), and this takes them out instead.
struct PackedUUID: Equatable {
    /// The first 56 of the 120 bits stored (in the low 56 bits).
    var high56: UInt64
    /// The last 64.
    var low: UInt64
    /// The 2 bits left over, kept in the key's kind byte.
    var leftover: UInt8

    /// Packs a UUID of version 4 and variant 10; nil for any other 128-bit value.
    init?(high: UInt64, low: UInt64) {
        guard (high >> 12) & 0xF == 4, low >> 62 == 0b10 else { return nil }
        // 60 free bits of `high` (all but the version nibble), 62 of `low`.
        let free = (high >> 16) << 12 | (high & 0xFFF)
        self.low = (low & Self.low62) | free << 62
        let top = free >> 2
        high56 = top & 0x00FF_FFFF_FFFF_FFFF
        leftover = UInt8(truncatingIfNeeded: top >> 56)
    }

    init(high56: UInt64, low: UInt64, leftover: UInt8) {
        self.high56 = high56
        self.low = low
        self.leftover = leftover
    }

    /// The UUID's two halves.
    var value: (high: UInt64, low: UInt64) {
        let free = (high56 | UInt64(leftover & 3) << 56) << 2 | low >> 62
        return ((free >> 12) << 16 | 0x4000 | (free & 0xFFF), 1 << 63 | (low & Self.low62))
    }

    private static let low62: UInt64 = (1 << 62) - 1
}

/// An open-addressing table from keys to their position in the block's key list. Binary ids are
/// random, so one multiply-mix of their bits is a good hash, and the block encoder, which looks up
/// every id of every record, avoids `Hasher` altogether.
struct KeyIndex: Sendable {
    private var slots = [Int32](repeating: -1, count: 64)
    private var hashes = [UInt64](repeating: 0, count: 64)
    private var count = 0

    @inline(__always)
    private static func hash(_ key: IDKey) -> UInt64 {
        if let text = key.text { return FNV.hash(text.utf8, seed: UInt64(key.kind.rawValue)) | 1 }
        return FNV.mix(UInt64(key.kind.rawValue), key.high, key.low) | 1
    }

    func find(_ key: IDKey, in keys: [IDKey]) -> Int? {
        let h = Self.hash(key)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] >= 0 {
            if hashes[i] == h, keys[Int(slots[i])] == key { return Int(slots[i]) }
            i = (i + 1) & mask
        }
        return nil
    }

    mutating func insert(_ key: IDKey, at index: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        place(Self.hash(key), Int32(index))
        count += 1
    }

    private mutating func place(_ h: UInt64, _ index: Int32) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] >= 0 { i = (i + 1) & mask }
        slots[i] = index
        hashes[i] = h
    }

    private mutating func grow() {
        let old = zip(slots, hashes).filter { $0.0 >= 0 }
        slots = [Int32](repeating: -1, count: slots.count * 2)
        hashes = [UInt64](repeating: 0, count: hashes.count * 2)
        for (index, h) in old { place(h, index) }
    }
}
