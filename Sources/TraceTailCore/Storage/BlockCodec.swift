/// The layout of one block: the records of one file, in file order, as one zlib stream.
///
/// ```
/// u8      codec version (1)
/// varint  record count
/// varint  id count, then per id: u8 kind, varint length, bytes       (the block's id dictionary)
/// per record:
///   zigzag  time - block minimum time
///   u8      level (0: none)
///   u8      flags (bit 0: truncated)
///   zigzag  start offset - previous record's end offset (the first: - block first offset)
///   varint  end offset - start offset
///   varint  trace, span, parent span, workflow, task: index into the dictionary + 1 (0: none)
///   varint  raw length
/// then every record's raw text, back to back
/// ```
/// The fixed-width fields come first and the text last, so the two compress as separate runs.
/// Each id is written once per block however many records carry it.
package enum BlockCodec {
    package static let version: UInt8 = 1

    package struct Summary: Sendable, Equatable {
        package var count: Int
        package var minTime: Int64
        package var maxTime: Int64
        package var firstOffset: Int64
        package var endOffset: Int64
        package var rawBytes: Int
        /// Every distinct id of the block, sorted: the block's index postings.
        package var keys: [IDKey]
    }

    package static func summary(of records: [IndexedRecord]) -> Summary {
        var keys = Set<IDKey>()
        var minTime = Int64.max
        var maxTime = Int64.min
        var rawBytes = 0
        for record in records {
            minTime = min(minTime, record.time)
            maxTime = max(maxTime, record.time)
            rawBytes += record.raw.count
            for key in record.keys { keys.insert(key) }
        }
        return Summary(
            count: records.count,
            minTime: records.isEmpty ? 0 : minTime,
            maxTime: records.isEmpty ? 0 : maxTime,
            firstOffset: records.first?.startOffset ?? 0,
            endOffset: records.last?.endOffset ?? 0,
            rawBytes: rawBytes,
            keys: keys.sorted()
        )
    }

    /// Encodes records (not compressed).
    package static func encode(_ records: [IndexedRecord], summary: Summary) -> [UInt8] {
        var dictionary: [IDKey: Int] = [:]
        var ordered: [IDKey] = []
        func reference(_ key: IDKey?) -> UInt64 {
            guard let key else { return 0 }
            if let index = dictionary[key] { return UInt64(index + 1) }
            dictionary[key] = ordered.count
            ordered.append(key)
            return UInt64(ordered.count)
        }
        var table: [UInt8] = []
        table.reserveCapacity(records.count * 16)
        var previousEnd = summary.firstOffset
        for record in records {
            Varint.appendSigned(record.time - summary.minTime, to: &table)
            table.append(record.level?.rawValue ?? 0)
            table.append(record.truncated ? 1 : 0)
            Varint.appendSigned(record.startOffset - previousEnd, to: &table)
            Varint.append(UInt64(max(0, record.endOffset - record.startOffset)), to: &table)
            Varint.append(reference(record.trace), to: &table)
            Varint.append(reference(record.span), to: &table)
            Varint.append(reference(record.parentSpan), to: &table)
            Varint.append(reference(record.workflow), to: &table)
            Varint.append(reference(record.task), to: &table)
            Varint.append(UInt64(record.raw.count), to: &table)
            previousEnd = record.endOffset
        }
        var out: [UInt8] = [version]
        out.reserveCapacity(table.count + summary.rawBytes + ordered.count * 20 + 16)
        Varint.append(UInt64(records.count), to: &out)
        Varint.append(UInt64(ordered.count), to: &out)
        for key in ordered {
            out.append(key.kind.rawValue)
            Varint.append(UInt64(key.bytes.count), to: &out)
            out.append(contentsOf: key.bytes)
        }
        out.append(contentsOf: table)
        for record in records { out.append(contentsOf: record.raw) }
        return out
    }

    /// Decodes a payload made by `encode`.
    package static func decode(_ payload: [UInt8], minTime: Int64, firstOffset: Int64) throws -> [IndexedRecord] {
        var reader = ByteReader(payload)
        guard try reader.byte() == version else { throw ByteReader.Corrupt(offset: 0) }
        let count = try reader.int()
        let idCount = try reader.int()
        var keys: [IDKey] = []
        keys.reserveCapacity(idCount)
        for _ in 0..<idCount {
            let kindByte = try reader.byte()
            guard let kind = IDKey.Kind(rawValue: kindByte) else { throw ByteReader.Corrupt(offset: reader.position) }
            let length = try reader.int()
            keys.append(IDKey(kind: kind, bytes: Array(try reader.take(length))))
        }
        func key(_ reference: Int) throws -> IDKey? {
            guard reference > 0 else { return nil }
            guard reference <= keys.count else { throw ByteReader.Corrupt(offset: reader.position) }
            return keys[reference - 1]
        }
        var records: [IndexedRecord] = []
        records.reserveCapacity(count)
        var lengths: [Int] = []
        lengths.reserveCapacity(count)
        var previousEnd = firstOffset
        for _ in 0..<count {
            let time = minTime + (try reader.signed())
            let level = try reader.byte()
            let flags = try reader.byte()
            let start = previousEnd + (try reader.signed())
            let end = start + Int64(try reader.int())
            let trace = try key(reader.int())
            let span = try key(reader.int())
            let parent = try key(reader.int())
            let workflow = try key(reader.int())
            let task = try key(reader.int())
            lengths.append(try reader.int())
            records.append(IndexedRecord(
                time: time, level: level == 0 ? nil : LogLevel(rawValue: level), truncated: flags & 1 != 0,
                startOffset: start, endOffset: end, trace: trace, span: span, parentSpan: parent,
                workflow: workflow, task: task, raw: []
            ))
            previousEnd = end
        }
        for i in 0..<count {
            records[i].raw = Array(try reader.take(lengths[i]))
        }
        return records
    }
}
