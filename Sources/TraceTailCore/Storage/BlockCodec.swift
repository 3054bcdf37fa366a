/// The layout of one block: the records of one file, in file order, as one zlib stream.
///
/// ```
/// u8      codec version (3; version 2, written before records could carry other trace ids, is
///         read too: it has no other-trace count)
/// varint  record count
/// varint  key count; the keys' kinds (one byte each); then their values in the same order:
///         16 or 8 bytes big-endian for binary kinds, a varint length and UTF-8 for opaque ones
/// varint  count of other 128-bit values, of 64-bit values (ids in text that are not one of
///         the record's own); then the values, big-endian
/// per record:
///   zigzag  time - previous record's time (the first: its time)
///   u8      level (0: none)
///   u8      flags (bit 0: truncated)
///   zigzag  start offset - previous record's end offset (the first: its start offset)
///   varint  end offset - start offset
///   varint  trace, span, parent span, workflow, task: 0 none, 1 the next key not used yet,
///           k + 2 key k
///   varint  count of the record's other trace ids, then a reference (as above) for each
///   varint  encoded text length
/// then every record's text, encoded by `IDTextCodec` (the record's own ids and time as field
/// tokens, other ids as references to the values)
/// ```
/// Every id of the block is stored once, in binary, however many records and how many times each
/// record's text mention it; fields first and text last, so deflate sees each as its own run.
package enum BlockCodec {
    /// Resolves a record's key references to positions in the key table, counting the keys
    /// "the next new key" has handed out so far.
    private struct References {
        let keyCount: Int
        var used = 0

        init(keyCount: Int) { self.keyCount = keyCount }

        /// Reads a reference; returns the position of its key, -1 for none.
        @inline(__always)
        mutating func next(_ reader: inout ByteReader) throws -> Int {
            let reference = try reader.varint()
            switch reference {
            case 0: return -1
            case 1:
                guard used < keyCount else { throw ByteReader.Corrupt(offset: reader.position) }
                used += 1
                return used - 1
            default:
                guard reference - 2 < UInt64(used) else { throw ByteReader.Corrupt(offset: reader.position) }
                return Int(reference - 2)
            }
        }
    }

    package static let version: UInt8 = 3
    /// Versions `decode` reads.
    package static let readableVersions: ClosedRange<UInt8> = 2...3

    /// Encodes records (not compressed): `BlockBuilder` with every record appended.
    package static func encode(_ records: [IndexedRecord]) -> [UInt8] {
        BlockBuilder(records).payload()
    }

    /// Decodes a payload made by `BlockBuilder`. With `matching`, only the records found by that id are
    /// returned; with `texts` false, no text is decoded (`raw` is empty).
    package static func decode(
        _ payload: [UInt8], matching: IDKey? = nil, texts: Bool = true
    ) throws -> [IndexedRecord] {
        try payload.withUnsafeBufferPointer { buffer in try decode(payload, buffer, matching: matching, texts: texts) }
    }

    /// `decode`, reading `payload` through `buffer` (its storage).
    private static func decode(
        _ payload: [UInt8], _ buffer: UnsafeBufferPointer<UInt8>, matching: IDKey?, texts: Bool
    ) throws -> [IndexedRecord] {
        // Counts read from the payload size allocations only up to the bytes there are, and
        // deltas wrap: a corrupt block throws (or decodes to nonsense the caller checks), it does
        // not stop the process.
        var reader = ByteReader(buffer)
        let payloadVersion = try reader.byte()
        guard readableVersions.contains(payloadVersion) else { throw ByteReader.Corrupt(offset: 0) }
        let hasOtherTraces = payloadVersion >= 3
        let count = try reader.int()
        let keyCount = try reader.int()
        // The key table is not copied out: its kinds are read where they lie, and each key is
        // kept as where its value starts (a block has a key per span, hundreds of them, and a
        // lookup makes `IDKey`s only of the records it returns). A lookup looks for its id on the
        // way: if the block does not hold it (an index or filter false positive), there is
        // nothing to decode.
        let kindsStart = try reader.take(keyCount).lowerBound
        let matchingText = matching?.text.map { Array($0.utf8) }
        var wanted: Int?
        var keyStarts: [Int] = []
        keyStarts.reserveCapacity(min(keyCount, payload.count))
        for index in 0..<keyCount {
            guard let kind = IDKey.Kind(rawValue: buffer[kindsStart + index]) else { throw ByteReader.Corrupt(offset: kindsStart + index) }
            let start = reader.position
            keyStarts.append(start)
            if kind.isOpaque {
                let length = try reader.int()
                let text = try reader.take(length)
                if wanted == nil, let matching, kind == matching.kind, let matchingText,
                   UnsafeBufferPointer(rebasing: buffer[text]).elementsEqual(matchingText) {
                    wanted = index
                }
            } else {
                try reader.skip(kind.width)
                if wanted == nil, let matching, kind == matching.kind, matchingText == nil,
                   bigEndian(buffer, at: start) == matching.high,
                   kind.width == 8 || bigEndian(buffer, at: start + 8) == matching.low {
                    wanted = index
                }
            }
        }
        if matching != nil, wanted == nil { return [] }
        func key(_ position: Int) -> IDKey? {
            guard position >= 0 else { return nil }
            // Both were checked as the table was read.
            let kind = IDKey.Kind(rawValue: buffer[kindsStart + position])!
            let start = keyStarts[position]
            if kind.isOpaque {
                var text = ByteReader(buffer, position: start)
                guard let length = try? text.int(), let range = try? text.take(length) else { return nil }
                return IDKey(kind: kind, bytes: UnsafeBufferPointer(rebasing: buffer[range]))
            }
            return IDKey(kind: kind, high: bigEndian(buffer, at: start), low: kind.width == 16 ? bigEndian(buffer, at: start + 8) : 0)
        }
        let wideCount = try reader.int()
        let narrowCount = try reader.int()
        var wide: [(UInt64, UInt64)] = []
        wide.reserveCapacity(min(wideCount, payload.count / 16))
        for _ in 0..<wideCount { wide.append((try reader.uint64(), try reader.uint64())) }
        var narrow: [UInt64] = []
        narrow.reserveCapacity(min(narrowCount, payload.count / 8))
        for _ in 0..<narrowCount { narrow.append(try reader.uint64()) }
        // References resolve to positions in the key table (-1: none); a record's ids are made into keys
        // only when it is returned, so the records a lookup passes over cost a few integers each.
        var references = References(keyCount: keyCount)
        var records: [IndexedRecord] = []
        records.reserveCapacity(matching == nil ? min(count, payload.count) : 16)
        // Where each returned record's text is, from the start of the texts: the lengths are
        // summed as the table is read, so the records passed over leave nothing behind.
        var textRanges: [Range<Int>] = []
        textRanges.reserveCapacity(matching == nil ? min(count, payload.count) : 16)
        var textsLength = 0
        var previousEnd: Int64 = 0
        var previousTime: Int64 = 0
        // Which field a lookup's id sits in: trace (and the other traces), span, workflow, task.
        let field: Int? = matching.map {
            switch $0.kind {
            case .trace, .traceOpaque: 0
            case .span, .spanOpaque: 1
            case .workflow, .workflowOpaque: 3
            case .task, .taskOpaque: 4
            }
        }
        var others: [Int] = []
        for _ in 0..<count {
            let time = previousTime &+ (try reader.signed())
            previousTime = time
            let level = try reader.byte()
            let flags = try reader.byte()
            let start = previousEnd &+ (try reader.signed())
            let end = start &+ Int64(truncatingIfNeeded: try reader.int())
            previousEnd = end
            // Resolve references in order: "next key" references must be counted for every record.
            let trace = try references.next(&reader)
            let span = try references.next(&reader)
            let parent = try references.next(&reader)
            let workflow = try references.next(&reader)
            let task = try references.next(&reader)
            var otherCount = 0
            if hasOtherTraces {
                otherCount = try reader.int()
                guard otherCount <= keyCount else { throw ByteReader.Corrupt(offset: reader.position) }
                if !others.isEmpty { others.removeAll(keepingCapacity: true) }
                for _ in 0..<otherCount {
                    let other = try references.next(&reader)
                    guard other >= 0 else { throw ByteReader.Corrupt(offset: reader.position) }
                    others.append(other)
                }
            }
            let length = try reader.int()
            guard length <= payload.count else { throw ByteReader.Corrupt(offset: reader.position) }
            let textStart = textsLength
            textsLength += length
            if let wanted, let field {
                let candidate = switch field {
                case 0: trace
                case 1: span
                case 3: workflow
                default: task
                }
                guard candidate == wanted || (field == 0 && otherCount > 0 && others.contains(wanted)) else { continue }
            }
            textRanges.append(textStart..<textsLength)
            records.append(IndexedRecord(
                time: time, level: level == 0 ? nil : LogLevel(rawValue: level), truncated: flags & 1 != 0,
                startOffset: start, endOffset: end, trace: key(trace), span: key(span), parentSpan: key(parent),
                workflow: key(workflow), task: key(task),
                otherTraces: otherCount == 0 ? [] : others.compactMap(key), raw: []
            ))
        }
        let textsStart = try reader.take(textsLength).lowerBound
        if texts {
            for (r, range) in textRanges.enumerated() {
                let encoded = payload[textsStart + range.lowerBound..<textsStart + range.upperBound]
                records[r].raw = try IDTextCodec.decode(encoded, fields: IDTextCodec.Fields(records[r]), wide: wide, narrow: narrow)
            }
        }
        guard reader.isAtEnd else { throw ByteReader.Corrupt(offset: reader.position) }
        return records
    }

    /// Eight bytes at `offset`, big-endian; the caller has checked they are there.
    @inline(__always)
    private static func bigEndian(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(bigEndian: UnsafeRawPointer(buffer.baseAddress! + offset).loadUnaligned(as: UInt64.self))
    }
}
