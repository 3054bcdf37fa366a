/// The layout of one block: the records of one file, in file order, as one zlib stream.
///
/// ```
/// u8      codec version (2)
/// varint  record count
/// varint  key count; the keys' kinds (one byte each); then their values in the same order:
///         16 or 8 bytes big-endian for binary kinds, a varint length and UTF-8 for opaque ones
/// varint  count of other 128-bit values, of 64-bit values (ids in text that are not one of
///         the record's own); then the values, big-endian
/// per record:
///   zigzag  time - previous record's time (the first: - block minimum time)
///   u8      level (0: none)
///   u8      flags (bit 0: truncated)
///   zigzag  start offset - previous record's end offset (the first: - block first offset)
///   varint  end offset - start offset
///   varint  trace, span, parent span, workflow, task: 0 none, 1 the next key not used yet,
///           k + 2 key k
///   varint  encoded text length
/// then every record's text, encoded by `IDTextCodec` (the record's own ids and time as field
/// tokens, other ids as references to the values)
/// ```
/// Every id of the block is stored once, in binary, however many records and how many times each
/// record's text mention it; fields first and text last, so deflate sees each as its own run.
package enum BlockCodec {
    package static let version: UInt8 = 2

    package struct Summary: Sendable, Equatable {
        package var count: Int
        package var minTime: Int64
        package var maxTime: Int64
        package var firstOffset: Int64
        package var endOffset: Int64
        package var rawBytes: Int
        /// The block's distinct trace ids: its rows in the trace index.
        package var traces: [IDKey]
        /// The block's distinct span, workflow and task ids, for its filter.
        package var others: [IDKey]

        package var filter: BlockFilter { BlockFilter(keys: others) }
    }

    package static func summary(of records: [IndexedRecord]) -> Summary {
        var traces = Set<IDKey>()
        var others = Set<IDKey>()
        var minTime = Int64.max
        var maxTime = Int64.min
        var rawBytes = 0
        for record in records {
            minTime = min(minTime, record.time)
            maxTime = max(maxTime, record.time)
            rawBytes += record.raw.count
            if let trace = record.trace { traces.insert(trace) }
            if let span = record.span { others.insert(span) }
            if let workflow = record.workflow { others.insert(workflow) }
            if let task = record.task { others.insert(task) }
        }
        return Summary(
            count: records.count,
            minTime: records.isEmpty ? 0 : minTime,
            maxTime: records.isEmpty ? 0 : maxTime,
            firstOffset: records.first?.startOffset ?? 0,
            endOffset: records.last?.endOffset ?? 0,
            rawBytes: rawBytes,
            traces: Array(traces),
            others: Array(others)
        )
    }

    /// Encodes records (not compressed).
    package static func encode(_ records: [IndexedRecord], summary: Summary) -> [UInt8] {
        var values = IDTextCodec.Values()
        var keyIndex: [IDKey: Int] = [:]
        var keys: [IDKey] = []
        func reference(_ key: IDKey?) -> UInt64 {
            guard let key else { return 0 }
            if let index = keyIndex[key] { return UInt64(index + 2) }
            keyIndex[key] = keys.count
            keys.append(key)
            return 1
        }
        var table: [UInt8] = []
        table.reserveCapacity(records.count * 16)
        var text: [UInt8] = []
        text.reserveCapacity(summary.rawBytes)
        var previousEnd = summary.firstOffset
        var previousTime = summary.minTime
        for record in records {
            Varint.appendSigned(record.time - previousTime, to: &table)
            previousTime = record.time
            table.append(record.level?.rawValue ?? 0)
            table.append(record.truncated ? 1 : 0)
            Varint.appendSigned(record.startOffset - previousEnd, to: &table)
            Varint.append(UInt64(max(0, record.endOffset - record.startOffset)), to: &table)
            Varint.append(reference(record.trace), to: &table)
            Varint.append(reference(record.span), to: &table)
            Varint.append(reference(record.parentSpan), to: &table)
            Varint.append(reference(record.workflow), to: &table)
            Varint.append(reference(record.task), to: &table)
            let before = text.count
            IDTextCodec.encode(record.raw, fields: IDTextCodec.Fields(record), values: &values, into: &text)
            Varint.append(UInt64(text.count - before), to: &table)
            previousEnd = record.endOffset
        }
        var out: [UInt8] = [version]
        out.reserveCapacity(table.count + text.count + keys.count * 17 + values.wide.count * 16 + values.narrow.count * 8 + 16)
        Varint.append(UInt64(records.count), to: &out)
        Varint.append(UInt64(keys.count), to: &out)
        for key in keys { out.append(key.kind.rawValue) }
        for key in keys {
            if let opaque = key.text {
                Varint.append(UInt64(opaque.utf8.count), to: &out)
                out.append(contentsOf: opaque.utf8)
            } else {
                appendBigEndian(key.high, to: &out)
                if key.kind.width == 16 { appendBigEndian(key.low, to: &out) }
            }
        }
        Varint.append(UInt64(values.wide.count), to: &out)
        Varint.append(UInt64(values.narrow.count), to: &out)
        for (high, low) in values.wide {
            appendBigEndian(high, to: &out)
            appendBigEndian(low, to: &out)
        }
        for value in values.narrow { appendBigEndian(value, to: &out) }
        out.append(contentsOf: table)
        out.append(contentsOf: text)
        return out
    }

    @inline(__always)
    private static func appendBigEndian(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Decodes a payload made by `encode`. With `matching`, only the records found by that id are
    /// returned; with `texts` false, no text is decoded (`raw` is empty).
    package static func decode(
        _ payload: [UInt8], minTime: Int64, firstOffset: Int64, matching: IDKey? = nil, texts: Bool = true
    ) throws -> [IndexedRecord] {
        var reader = ByteReader(payload)
        guard try reader.byte() == version else { throw ByteReader.Corrupt(offset: 0) }
        let count = try reader.int()
        let keyCount = try reader.int()
        var kinds: [IDKey.Kind] = []
        kinds.reserveCapacity(keyCount)
        for _ in 0..<keyCount {
            guard let kind = IDKey.Kind(rawValue: try reader.byte()) else { throw ByteReader.Corrupt(offset: reader.position) }
            kinds.append(kind)
        }
        var keys: [IDKey] = []
        keys.reserveCapacity(keyCount)
        for kind in kinds {
            if kind.isOpaque {
                keys.append(IDKey(kind: kind, bytes: try reader.take(try reader.int())))
            } else {
                let high = try reader.uint64()
                keys.append(IDKey(kind: kind, high: high, low: kind.width == 16 ? try reader.uint64() : 0))
            }
        }
        // A lookup: if the block does not hold the id at all (an index or filter false positive),
        // there is nothing to decode.
        var wanted: Int?
        if let matching {
            guard let index = keys.firstIndex(of: matching) else { return [] }
            wanted = index
        }
        let wideCount = try reader.int()
        let narrowCount = try reader.int()
        var wide: [(UInt64, UInt64)] = []
        wide.reserveCapacity(wideCount)
        for _ in 0..<wideCount { wide.append((try reader.uint64(), try reader.uint64())) }
        var narrow: [UInt64] = []
        narrow.reserveCapacity(narrowCount)
        for _ in 0..<narrowCount { narrow.append(try reader.uint64()) }
        var used = 0
        func key(_ reference: Int) throws -> IDKey? {
            switch reference {
            case 0: return nil
            case 1:
                guard used < keys.count else { throw ByteReader.Corrupt(offset: reader.position) }
                used += 1
                return keys[used - 1]
            default:
                guard reference - 2 < used else { throw ByteReader.Corrupt(offset: reader.position) }
                return keys[reference - 2]
            }
        }
        var records: [IndexedRecord] = []
        records.reserveCapacity(count)
        var lengths: [Int] = []
        lengths.reserveCapacity(count)
        var previousEnd = firstOffset
        var previousTime = minTime
        // Which field a lookup's id sits in: trace, span, -, workflow, task.
        let field: Int? = matching.map {
            switch $0.kind {
            case .trace, .traceOpaque: 0
            case .span, .spanOpaque: 1
            case .workflow, .workflowOpaque: 3
            case .task, .taskOpaque: 4
            }
        }
        var kept: [Int] = []
        for _ in 0..<count {
            let time = previousTime + (try reader.signed())
            previousTime = time
            let level = try reader.byte()
            let flags = try reader.byte()
            let start = previousEnd + (try reader.signed())
            let end = start + Int64(try reader.int())
            var references = (0, 0, 0, 0, 0)
            references.0 = try reader.int()
            references.1 = try reader.int()
            references.2 = try reader.int()
            references.3 = try reader.int()
            references.4 = try reader.int()
            lengths.append(try reader.int())
            previousEnd = end
            // Resolve references in order: "next key" references must be counted for every record.
            let trace = try key(references.0)
            let span = try key(references.1)
            let parent = try key(references.2)
            let workflow = try key(references.3)
            let task = try key(references.4)
            if let wanted, let field {
                let candidate: IDKey?
                switch field {
                case 0: candidate = trace
                case 1: candidate = span
                case 3: candidate = workflow
                default: candidate = task
                }
                guard candidate == keys[wanted] else {
                    kept.append(-1)
                    continue
                }
            }
            kept.append(records.count)
            records.append(IndexedRecord(
                time: time, level: level == 0 ? nil : LogLevel(rawValue: level), truncated: flags & 1 != 0,
                startOffset: start, endOffset: end, trace: trace, span: span, parentSpan: parent,
                workflow: workflow, task: task, raw: []
            ))
        }
        for i in 0..<count {
            let encoded = try reader.take(lengths[i])
            guard texts, kept[i] >= 0 else { continue }
            let r = kept[i]
            records[r].raw = try IDTextCodec.decode(encoded, fields: IDTextCodec.Fields(records[r]), wide: wide, narrow: narrow)
        }
        guard reader.isAtEnd else { throw ByteReader.Corrupt(offset: reader.position) }
        return records
    }
}
