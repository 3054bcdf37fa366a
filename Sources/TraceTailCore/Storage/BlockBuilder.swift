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

    /// The payload as `BlockCodec.decode` reads it (not compressed).
    package func payload() -> [UInt8] {
        var out: [UInt8] = [BlockCodec.version]
        out.reserveCapacity(table.count + text.count + keys.count * 17 + values.wide.count * 16 + values.narrow.count * 8 + 32)
        Varint.append(UInt64(count), to: &out)
        Varint.append(UInt64(keys.count), to: &out)
        for key in keys { out.append(key.kind.rawValue) }
        for key in keys {
            if let opaque = key.text {
                Varint.append(UInt64(opaque.utf8.count), to: &out)
                out.append(contentsOf: opaque.utf8)
            } else {
                Self.appendBigEndian(key.high, to: &out)
                if key.kind.width == 16 { Self.appendBigEndian(key.low, to: &out) }
            }
        }
        Varint.append(UInt64(values.wide.count), to: &out)
        Varint.append(UInt64(values.narrow.count), to: &out)
        for (high, low) in values.wide {
            Self.appendBigEndian(high, to: &out)
            Self.appendBigEndian(low, to: &out)
        }
        for value in values.narrow { Self.appendBigEndian(value, to: &out) }
        out.append(contentsOf: table)
        out.append(contentsOf: text)
        return out
    }

    @inline(__always)
    private static func appendBigEndian(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
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
