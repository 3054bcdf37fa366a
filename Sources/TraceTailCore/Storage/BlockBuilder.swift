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
    /// Distinct trace ids (the block's index rows) and span, workflow and task ids (its filter).
    package private(set) var traces = Set<IDKey>()
    package private(set) var others = Set<IDKey>()

    private var keys: [IDKey] = []
    private var keyIndex: [IDKey: Int] = [:]
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

    package var isEmpty: Bool { count == 0 }
    package var filter: BlockFilter { BlockFilter(keys: others) }

    package mutating func append(_ record: IndexedRecord) {
        if count == 0 { firstOffset = record.startOffset }
        count += 1
        rawBytes += record.raw.count
        minTime = min(minTime, record.time)
        maxTime = max(maxTime, record.time)
        endOffset = record.endOffset
        if let trace = record.trace { traces.insert(trace) }
        if let span = record.span { others.insert(span) }
        if let workflow = record.workflow { others.insert(workflow) }
        if let task = record.task { others.insert(task) }

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
        let before = text.count
        IDTextCodec.encode(record.raw, fields: IDTextCodec.Fields(record), values: &values, into: &text)
        Varint.append(UInt64(text.count - before), to: &table)
    }

    /// 0: none; 1: the next key not used yet; k + 2: key k.
    private mutating func reference(_ key: IDKey?) -> UInt64 {
        guard let key else { return 0 }
        if let index = keyIndex[key] { return UInt64(index + 2) }
        keyIndex[key] = keys.count
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
