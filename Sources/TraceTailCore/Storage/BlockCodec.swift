/// The layout of one block: the records of one file, in file order.
///
/// As stored (version 4), a block is its key values as they are, then a raw deflate stream of
/// everything else:
///
/// ```
/// u8      0xFE: no raw deflate stream starts with it (its block type would be 3, reserved), so
///         it tells this form from the single deflate stream of versions 2 and 3
/// varint  length of the key values
/// u32     CRC-32 of the key values, big-endian (deflate's structure no longer guards them)
/// then the key values, in key order: 16 or 8 bytes big-endian for binary kinds (15 for a packed
///         UUID), a varint length and UTF-8 for opaque ones
/// then a raw deflate stream of the payload below, without the key values
/// ```
///
/// The payload (inflated, `payload_bytes` long):
///
/// ```
/// u8      codec version (4; 3 and 2 are read too, as one deflate stream of the whole block with
///         the key values after the kinds; version 2, written before records could carry other
///         trace ids, has no other-trace count)
/// varint  record count
/// varint  key count; the keys' kinds (one byte each; from version 4, bit 7 set: a version 4 UUID
///         packed in 15 bytes, bits 4-5 its 2 remaining bits)
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
///
/// Why the key values stay out of the stream: they are random, deflate cannot make them smaller
/// (but for a UUID's 6 fixed bits, which packing takes out), and inflating them was most of a
/// lookup's inflating: on the benchmark's blocks, 28 of 45 µs went to the 13 KB of key values and
/// table, against 18 µs for the 103 KB of text around them (docs/storage.md says how measured).
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

    /// The version of the single-stream payload (`BlockBuilder.version3Payload()`), which
    /// stores before version 4 wrote.
    package static let version: UInt8 = 3
    /// The version of the stored form the store writes (`BlockBuilder.stored(level:)`).
    package static let framedVersion: UInt8 = 4
    /// The first byte of the stored form.
    package static let framedMarker: UInt8 = 0xFE
    /// In a version 4 kind byte: the key is a packed UUID.
    static let packedFlag: UInt8 = 0x80
    /// Versions of the single-stream payload `decode(_:matching:texts:)` reads.
    package static let readableVersions: ClosedRange<UInt8> = 2...3

    /// Encodes records (not compressed) as a single-stream payload of version 3, as stores
    /// before version 4 wrote them (`BlockBuilder.version3Payload()`).
    package static func encodeVersion3(_ records: [IndexedRecord]) -> [UInt8] {
        BlockBuilder(records).version3Payload()
    }

    /// Decodes a block as stored (its `data` and `payload_bytes`): the stored form of version 4,
    /// or a single deflate stream of versions 2 and 3. With `matching`, only the records found by
    /// that id are returned; with `texts` false, no text is decoded (`raw` is empty).
    package static func decode(
        stored data: UnsafeRawBufferPointer, payloadBytes: Int, matching: IDKey? = nil, texts: Bool = true
    ) throws -> [IndexedRecord] {
        let bytes = data.assumingMemoryBound(to: UInt8.self)
        guard bytes.first == framedMarker else {
            return try decode(try Zlib.inflate(data, expectedSize: payloadBytes), matching: matching, texts: texts)
        }
        var reader = ByteReader(bytes, position: 1)
        let keyLength = try reader.int()
        let checksum = try reader.take(4)
        let keys = try reader.take(keyLength)
        // Deflate's own structure no longer guards the key values: a damaged one would decode as
        // another id, its records lost to lookups and counted nowhere.
        let stored = UInt32(bigEndian(bytes, at: checksum.lowerBound, count: 4))
        guard stored == Zlib.crc32(UnsafeRawBufferPointer(rebasing: data[keys])) else {
            throw ByteReader.Corrupt(offset: checksum.lowerBound)
        }
        let payload = try Zlib.inflate(UnsafeRawBufferPointer(rebasing: data[reader.position...]), expectedSize: payloadBytes)
        return try payload.withUnsafeBufferPointer { buffer in
            try decode(payload, buffer, keySection: UnsafeBufferPointer(rebasing: bytes[keys]), matching: matching, texts: texts)
        }
    }

    /// `decode(stored:payloadBytes:matching:texts:)` of an array.
    package static func decode(
        stored data: [UInt8], payloadBytes: Int, matching: IDKey? = nil, texts: Bool = true
    ) throws -> [IndexedRecord] {
        try data.withUnsafeBytes { try decode(stored: $0, payloadBytes: payloadBytes, matching: matching, texts: texts) }
    }

    /// Decodes a single-stream payload (versions 2 and 3, inflated). With `matching`, only the
    /// records found by that id are returned; with `texts` false, no text is decoded (`raw` is
    /// empty).
    package static func decode(
        _ payload: [UInt8], matching: IDKey? = nil, texts: Bool = true
    ) throws -> [IndexedRecord] {
        try payload.withUnsafeBufferPointer { buffer in try decode(payload, buffer, keySection: nil, matching: matching, texts: texts) }
    }

    /// `decode`, reading `payload` through `buffer` (its storage), and the key values from
    /// `keySection` (version 4) or from the payload after the kinds (versions 2 and 3).
    private static func decode(
        _ payload: [UInt8], _ buffer: UnsafeBufferPointer<UInt8>, keySection: UnsafeBufferPointer<UInt8>?,
        matching: IDKey?, texts: Bool
    ) throws -> [IndexedRecord] {
        // Counts read from the payload size allocations only up to the bytes there are, and
        // deltas wrap: a corrupt block throws (or decodes to nonsense the caller checks), it does
        // not stop the process.
        var reader = ByteReader(buffer)
        let payloadVersion = try reader.byte()
        guard keySection == nil ? readableVersions.contains(payloadVersion) : payloadVersion == framedVersion else {
            throw ByteReader.Corrupt(offset: 0)
        }
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
        // The key values: in their own section (version 4), or here in the payload (read on with
        // a copy of the reader, which then moves past them).
        let keyBuffer = keySection ?? buffer
        var keyReader = keySection.map { ByteReader($0) } ?? reader
        for index in 0..<keyCount {
            let kindByte = buffer[kindsStart + index]
            guard let kind = IDKey.Kind(rawValue: kindByte & 0x0F), kindByte & 0x40 == 0 else {
                throw ByteReader.Corrupt(offset: kindsStart + index)
            }
            let start = keyReader.position
            keyStarts.append(start)
            if kindByte & packedFlag != 0 {
                // A packed UUID: only in version 4, only of a 128-bit kind.
                guard keySection != nil, !kind.isOpaque, kind.width == 16 else { throw ByteReader.Corrupt(offset: kindsStart + index) }
                try keyReader.skip(15)
                if wanted == nil, let matching, kind == matching.kind, matchingText == nil,
                   unpacked(keyBuffer, at: start, kindByte) == (matching.high, matching.low) {
                    wanted = index
                }
                continue
            }
            guard kindByte & 0x30 == 0 else { throw ByteReader.Corrupt(offset: kindsStart + index) }
            if kind.isOpaque {
                let length = try keyReader.int()
                let text = try keyReader.take(length)
                if wanted == nil, let matching, kind == matching.kind, let matchingText,
                   UnsafeBufferPointer(rebasing: keyBuffer[text]).elementsEqual(matchingText) {
                    wanted = index
                }
            } else {
                try keyReader.skip(kind.width)
                if wanted == nil, let matching, kind == matching.kind, matchingText == nil,
                   bigEndian(keyBuffer, at: start) == matching.high,
                   kind.width == 8 || bigEndian(keyBuffer, at: start + 8) == matching.low {
                    wanted = index
                }
            }
        }
        if keySection == nil {
            reader = keyReader
        } else {
            guard keyReader.isAtEnd else { throw ByteReader.Corrupt(offset: keyReader.position) }
        }
        if matching != nil, wanted == nil { return [] }
        func key(_ position: Int) -> IDKey? {
            guard position >= 0 else { return nil }
            // Both were checked as the table was read.
            let kindByte = buffer[kindsStart + position]
            let kind = IDKey.Kind(rawValue: kindByte & 0x0F)!
            let start = keyStarts[position]
            if kindByte & packedFlag != 0 {
                let (high, low) = unpacked(keyBuffer, at: start, kindByte)
                return IDKey(kind: kind, high: high, low: low)
            }
            if kind.isOpaque {
                var text = ByteReader(keyBuffer, position: start)
                guard let length = try? text.int(), let range = try? text.take(length) else { return nil }
                return IDKey(kind: kind, bytes: UnsafeBufferPointer(rebasing: keyBuffer[range]))
            }
            return IDKey(kind: kind, high: bigEndian(keyBuffer, at: start), low: kind.width == 16 ? bigEndian(keyBuffer, at: start + 8) : 0)
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

    /// The UUID packed in the 15 bytes at `offset` and its kind byte; the caller has checked the
    /// bytes are there.
    @inline(__always)
    private static func unpacked(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int, _ kindByte: UInt8) -> (UInt64, UInt64) {
        // The 7 bytes of the first part are followed by the 8 of the second: one 8-byte load each.
        PackedUUID(high56: bigEndian(buffer, at: offset) >> 8, low: bigEndian(buffer, at: offset + 7), leftover: kindByte >> 4 & 3).value
    }

    /// `count` bytes at `offset`, big-endian; the caller has checked they are there.
    private static func bigEndian(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int, count: Int) -> UInt64 {
        buffer[offset..<offset + count].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Eight bytes at `offset`, big-endian; the caller has checked they are there.
    @inline(__always)
    private static func bigEndian(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(bigEndian: UnsafeRawPointer(buffer.baseAddress! + offset).loadUnaligned(as: UInt64.self))
    }
}
