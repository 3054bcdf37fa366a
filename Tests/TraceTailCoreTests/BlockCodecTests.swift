import Foundation
import CZlib
import Testing
import TraceTailCore

@Suite("Block codec")
struct BlockCodecTests {
    @Test("Records survive encode, deflate, inflate and decode byte for byte")
    func roundTrip() throws {
        let trace = TraceID("4bf92f3577b34da6a3ce929d0e0e4736")!.key
        let opaque = TraceID("abc123")!.key
        let span = SpanID("00f067aa0ba902b7")!.key
        var records: [IndexedRecord] = []
        var offset: Int64 = 500
        for i in 0..<300 {
            let raw = Array("record \(i) \u{1F50D} \(String(repeating: "z", count: i % 17))".utf8) + [0, 0xFF, 0x0D]
            let record = IndexedRecord(
                time: 1_782_986_400_000 + Int64(i * 7 - 50), level: i % 3 == 0 ? nil : LogLevel(rawValue: UInt8(10 * (i % 6 + 1))),
                truncated: i % 11 == 0, startOffset: offset, endOffset: offset + Int64(raw.count) + 1 + Int64(i % 2),
                trace: i % 4 == 0 ? nil : (i % 4 == 1 ? trace : opaque), span: i % 5 == 0 ? span : nil,
                parentSpan: i % 7 == 0 ? span : nil, raw: raw)
            offset = record.endOffset + Int64(i % 3)
            records.append(record)
        }
        let summary = BlockBuilder(records)
        #expect(summary.count == 300)
        #expect(summary.traces == [trace, opaque])
        #expect(summary.others == [span])
        #expect(summary.filter.mayContain(span))
        #expect(summary.firstOffset == 500)
        #expect(summary.minTime == records.map(\.time).min())
        let payload = summary.version3Payload()
        #expect(payload == BlockCodec.encodeVersion3(records))
        let compressed = try Zlib.deflate(payload, level: 6)
        #expect(compressed.count < payload.count)
        let inflated = try Zlib.inflate(compressed, expectedSize: payload.count)
        let decoded = try BlockCodec.decode(inflated)
        #expect(decoded == records)
        // Built in two steps (a block open across commits) it is the same block.
        var twoSteps = BlockBuilder(Array(records.prefix(120)))
        for record in records.dropFirst(120) { twoSteps.append(record) }
        #expect(twoSteps.version3Payload() == payload)
        // A lookup decodes only the matching records, with their text.
        let matching = try BlockCodec.decode(inflated, matching: span)
        #expect(matching == records.filter { $0.span == span })
        #expect(try BlockCodec.decode(inflated, matching: SpanID("1111111111111111")!.key).isEmpty)
        // By trace, binary and opaque: the key is found in the table as it is read.
        for key in [trace, opaque] {
            #expect(try BlockCodec.decode(inflated, matching: key) == records.filter { $0.trace == key })
        }
        #expect(try BlockCodec.decode(inflated, matching: TraceID("abc124")!.key).isEmpty)
        #expect(try BlockCodec.decode(inflated, matching: TraceID("4bf92f3577b34da6a3ce929d0e0e4737")!.key).isEmpty)

        // As the store keeps it (version 4): the same records, found the same way.
        let stored = try summary.stored(level: 6)
        #expect(stored.data.first == BlockCodec.framedMarker)
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes) == records)
        #expect(try twoSteps.stored(level: 6).data == stored.data)
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: span) == records.filter { $0.span == span })
        for key in [trace, opaque] {
            #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: key) == records.filter { $0.trace == key })
        }
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: TraceID("abc124")!.key).isEmpty)
        let withoutTexts = try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, texts: false)
        #expect(withoutTexts.map(\.startOffset) == records.map(\.startOffset) && withoutTexts.allSatisfy(\.raw.isEmpty))
        // A block of an older store, one deflate stream of a version 3 payload, reads through the same call.
        #expect(try BlockCodec.decode(stored: compressed, payloadBytes: payload.count) == records)
        #expect(try BlockCodec.decode(stored: compressed, payloadBytes: payload.count, matching: trace) == records.filter { $0.trace == trace })
    }

    @Test("Version 4 UUIDs are stored in 15 bytes and come back whole; other 128-bit values keep 16")
    func packedUUIDs() throws {
        var generator = SplitMix64(seed: 4)
        // Version 4 UUIDs (random, and with every free bit 0 or 1), and 128-bit values one bit
        // away from that shape: version 5, variant 11, variant 01.
        var uuids: [(UInt64, UInt64)] = [(0x0000_0000_0000_4000, 0x8000_0000_0000_0000), (0xFFFF_FFFF_FFFF_4FFF, 0xBFFF_FFFF_FFFF_FFFF)]
        for _ in 0..<200 {
            uuids.append((generator.next() & ~0xF000 | 0x4000, generator.next() >> 2 | 0x8000_0000_0000_0000))
        }
        let others: [(UInt64, UInt64)] = [
            (0x1234_5678_9ABC_5DEF, 0x8123_4567_89AB_CDEF), (0x1234_5678_9ABC_4DEF, 0xC123_4567_89AB_CDEF),
            (0x1234_5678_9ABC_4DEF, 0x4123_4567_89AB_CDEF), (generator.next() | 0xF000, generator.next()),
        ]
        let kinds: [IDKey.Kind] = [.trace, .workflow, .task]
        var records: [IndexedRecord] = []
        for (i, (high, low)) in (uuids + others).enumerated() {
            let kind = kinds[i % 3]
            let key = IDKey(kind: kind, high: high, low: low)
            let start = Int64(i * 20)
            records.append(IndexedRecord(
                time: Int64(i), startOffset: start, endOffset: start + 19,
                trace: kind == .trace ? key : nil, workflow: kind == .workflow ? key : nil, task: kind == .task ? key : nil,
                raw: Array("record \(i)".utf8)))
        }
        let stored = try BlockBuilder(records).stored(level: 6)
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes) == records)
        // The key section: 15 bytes a UUID, 16 any other value.
        let keyBytes = try stored.data.withUnsafeBufferPointer { buffer in
            var reader = ByteReader(buffer, position: 1)
            return try reader.int()
        }
        #expect(keyBytes == uuids.count * 15 + others.count * 16)
        for record in records {
            let key = record.trace ?? record.workflow ?? record.task!
            #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: key) == [record])
        }
        // The same value under another kind, or one bit off, is not found.
        let first = IDKey(kind: .task, high: uuids[0].0, low: uuids[0].1)
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: first).isEmpty)
        let near = IDKey(kind: .trace, high: uuids[3].0, low: uuids[3].1 ^ 1)
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: near).isEmpty)
    }

    @Test("A version 4 payload without its frame, or a frame around a version 3 payload, is refused")
    func mixedVersionsRefused() throws {
        // Records without ids: an empty key table, so that the version byte is all that differs.
        let records = (0..<20).map { (i: Int) -> IndexedRecord in
            let start = Int64(i * 10)
            return IndexedRecord(time: Int64(i), startOffset: start, endOffset: start + 9, raw: Array("r \(i)".utf8))
        }
        let stored = try BlockBuilder(records).stored(level: 6)
        // The marker, a key length of 0, the CRC-32 of nothing.
        let frame = Array(stored.data.prefix(6))
        #expect(frame == [BlockCodec.framedMarker, 0, 0, 0, 0, 0])
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes) == records)
        let stream = Array(stored.data.dropFirst(6))
        #expect(throws: (any Error).self) { _ = try BlockCodec.decode(stored: stream, payloadBytes: stored.payloadBytes) }
        let legacyPayload = BlockCodec.encodeVersion3(records)
        let legacy = try Zlib.deflate(legacyPayload, level: 6)
        #expect(try BlockCodec.decode(stored: legacy, payloadBytes: legacyPayload.count) == records)
        #expect(throws: (any Error).self) { _ = try BlockCodec.decode(stored: frame + legacy, payloadBytes: legacyPayload.count) }
    }

    @Test("A key value changed on disk is an error, not another id")
    func damagedKeyValues() throws {
        let trace = TraceID("ec339c58-031b-4a04-a76e-2fc5fbcaebf5")!.key
        let span = SpanID("00f067aa0ba902b7")!.key
        let records = (0..<30).map { (i: Int) -> IndexedRecord in
            let start = Int64(i * 10)
            return IndexedRecord(time: Int64(i), startOffset: start, endOffset: start + 9, trace: trace, span: i % 2 == 0 ? span : nil, raw: Array("r \(i)".utf8))
        }
        let stored = try BlockBuilder(records).stored(level: 6)
        let keyLength = Int(stored.data[1])
        #expect(keyLength == 15 + 8)
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: trace).count == 30)
        // Every bit of every key value (after the marker, the length and the CRC).
        for offset in 6..<(6 + keyLength) {
            for bit in 0..<8 {
                var damaged = stored.data
                damaged[offset] ^= 1 << bit
                #expect(throws: (any Error).self) { _ = try BlockCodec.decode(stored: damaged, payloadBytes: stored.payloadBytes) }
            }
        }
    }

    @Test("Blocks zlib compressed (every store before libdeflate) still decode, at every level", arguments: [1, 4, 6, 9] as [Int32])
    func zlibBlocksStillDecode(level: Int32) throws {
        let trace = TraceID("4bf92f3577b34da6a3ce929d0e0e4736")!.key
        var records: [IndexedRecord] = []
        var offset: Int64 = 0
        for i in 0..<400 {
            let raw = Array(#"{"level":30,"time":\#(1_782_986_400_000 + i),"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"step \#(i % 9)"}"#.utf8)
            records.append(IndexedRecord(
                time: 1_782_986_400_000 + Int64(i), level: .info, startOffset: offset, endOffset: offset + Int64(raw.count) + 1,
                trace: i % 3 == 0 ? nil : trace, raw: raw))
            offset += Int64(raw.count) + 1
        }
        let payload = BlockCodec.encodeVersion3(records)
        let written = try Self.zlibRawDeflate(payload, level: level)
        #expect(try BlockCodec.decode(try Zlib.inflate(written, expectedSize: payload.count)) == records)
        #expect(try BlockCodec.decode(try Zlib.inflate(written, expectedSize: payload.count), matching: trace) == records.filter { $0.trace == trace })
        // And the other way: what the store writes now is a raw deflate stream zlib reads.
        #expect(try Self.zlibRawInflate(try Zlib.deflate(payload, level: level), size: payload.count) == payload)
    }

    /// zlib's raw deflate, as `Zlib.deflate` made blocks before libdeflate.
    static func zlibRawDeflate(_ input: [UInt8], level: Int32) throws -> [UInt8] {
        var stream = z_stream()
        #expect(deflateInit2_(&stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        return zlibStep(&stream, input, capacity: Int(deflateBound(&stream, uLong(input.count)))) { CZlib.deflate(&$0, Z_FINISH) }
    }

    /// zlib's raw inflate, to show that what the store writes now is what zlib reads.
    static func zlibRawInflate(_ input: [UInt8], size: Int) throws -> [UInt8] {
        var stream = z_stream()
        #expect(inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { inflateEnd(&stream) }
        return zlibStep(&stream, input, capacity: size) { CZlib.inflate(&$0, Z_FINISH) }
    }

    /// One whole-buffer step of an initialised zlib stream, which must end there.
    static func zlibStep(_ stream: inout z_stream, _ input: [UInt8], capacity: Int, _ step: (inout z_stream) -> Int32) -> [UInt8] {
        var input = input
        var output = [UInt8](repeating: 0, count: capacity)
        let written = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                #expect(step(&stream) == Z_STREAM_END)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(written))
    }

    @Test("Ids leave the text and come back in their exact spelling", arguments: [
        #"{"trace_id":"ec339c58-031b-4a04-a76e-2fc5fbcaebf5","span_id":"00f067aa0ba902b7","msg":"x"}"#,
        #"{"traceId":"EC339C58-031B-4A04-A76E-2FC5FBCAEBF5","spanId":"00F067AA0BA902B7"}"#,
        "traceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 and 4BF92F3577B34DA6A3CE929D0E0E4736",
        "mixed case Ec339c58-031b-4a04-a76e-2fc5fbcaebf5 stays, 1234567890123456 digits, abcdef0123456789abcdef0123456789ab too long",
        "word-glued x4bf92f3577b34da6a3ce929d0e0e4736 and 4bf92f3577b34da6a3ce929d0e0e4736y stay; sha 0123456789abcdef0123456789abcdef01234567",
        "control \u{01}\u{02}\u{07}\u{08} bytes and ec339c58-031b-4a04-a76e-2fc5fbcaebf5-tail, trailing 00f067aa0ba902b7",
        #"{"level":30,"time":1782986400271,"msg":"time 17829864002710 is not the time, 1782986400271 is"}"#,
        "",
    ])
    func idText(_ text: String) throws {
        var values = IDTextCodec.Values()
        var encoded: [UInt8] = []
        let fields = IDTextCodec.Fields(IndexedRecord(time: 1_782_986_400_271, startOffset: 0, endOffset: 0, trace: TraceID("ec339c58-031b-4a04-a76e-2fc5fbcaebf5")!.key, span: SpanID("00f067aa0ba902b7")!.key, raw: []))
        IDTextCodec.encode(Array(text.utf8), fields: fields, values: &values, into: &encoded)
        let decoded = try IDTextCodec.decode(encoded[...], fields: fields, wide: values.wide, narrow: values.narrow)
        #expect(String(decoding: decoded, as: UTF8.self) == text)
        if text.contains("ec339c58-031b-4a04-a76e-2fc5fbcaebf5\"") {
            #expect(encoded.count < text.utf8.count - 30, "the UUID became a short reference")
        }
    }

    @Test("Random bytes and id-like noise survive the id codec")
    func idTextFuzz() throws {
        var rng = SeededGenerator(seed: 7)
        let pieces = ["ec339c58-031b-4a04-a76e-2fc5fbcaebf5", "1782986400271", "\u{08}", "00F067AA0BA902B7", "-", "\u{01}", "\u{07}", " ", "a", "F", "9", "é", "\""]
        for _ in 0..<2000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(rng.next() % 40) {
                if rng.next() % 3 == 0 {
                    bytes.append(UInt8(truncatingIfNeeded: rng.next()))
                } else {
                    bytes += Array(pieces[Int(rng.next() % UInt64(pieces.count))].utf8)
                }
            }
            var values = IDTextCodec.Values()
            var encoded: [UInt8] = []
            let fields = IDTextCodec.Fields(IndexedRecord(time: 1_782_986_400_271, startOffset: 0, endOffset: 0, trace: TraceID("ec339c58-031b-4a04-a76e-2fc5fbcaebf5")!.key, raw: []))
            IDTextCodec.encode(bytes, fields: fields, values: &values, into: &encoded)
            #expect(try IDTextCodec.decode(encoded[...], fields: fields, wide: values.wide, narrow: values.narrow) == bytes)
        }
    }

    @Test("Every id at a word boundary leaves the text, whatever words stand around it")
    func idsAmongWords() throws {
        var rng = SeededGenerator(seed: 11)
        // Words that start like an id (hex letters, digits), words that do not, words that glue
        // hex to other letters, and separators of every kind.
        let words = ["level", "face", "deadbeefz", "cafe1", "orchestrator", "error", "x", "0", "12", "fade_in", "é", "abc123"]
        let separators = [" ", "\"", ":", ",", "=", "{", "}", "-", "/", "\n"]
        for round in 0..<300 {
            var text = ""
            var ids = Set<String>()
            for _ in 0..<Int(rng.next() % 12) {
                text += words[Int(rng.next() % UInt64(words.count))] + separators[Int(rng.next() % UInt64(separators.count))]
                if rng.next() % 2 == 0 {
                    let id = String(format: "%016llx%016llx", rng.next(), rng.next())
                    ids.insert(id)
                    text += id + separators[Int(rng.next() % UInt64(separators.count - 1))]
                }
            }
            var values = IDTextCodec.Values()
            var encoded: [UInt8] = []
            let fields = IDTextCodec.Fields(IndexedRecord(time: 1_782_986_400_271, startOffset: 0, endOffset: 0, raw: []))
            IDTextCodec.encode(Array(text.utf8), fields: fields, values: &values, into: &encoded)
            #expect(values.wide.count == ids.count, "round \(round): \(text)")
            #expect(try IDTextCodec.decode(encoded[...], fields: fields, wide: values.wide, narrow: values.narrow) == Array(text.utf8))
        }
    }

    @Test("Filters never miss an id they hold, and rarely claim one they do not")
    func filter() {
        let keys = (0..<500).map { IDKey(kind: .span, high: UInt64($0) &* 0x9E37_79B9_7F4A_7C15) }
        let filter = BlockFilter(keys: keys)
        #expect(keys.allSatisfy(filter.mayContain))
        let others = (0..<10_000).map { IDKey(kind: .span, high: UInt64($0 + 1_000_000) &* 0x2545_F491_4F6C_DD1D) }
        let falsePositives = others.filter(filter.mayContain).count
        #expect(falsePositives < 300, "\(falsePositives) false positives in 10,000")
        #expect(!BlockFilter(keys: []).mayContain(keys[0]))
        #expect(BlockFilter(keys: [IDKey(kind: .taskOpaque, text: "t-42")]).mayContain(IDKey(kind: .taskOpaque, text: "t-42")))
    }

    @Test("A damaged payload is an error, not a crash")
    func corrupt() throws {
        let record = IndexedRecord(time: 1, startOffset: 0, endOffset: 4, raw: Array("abc".utf8))
        let payload = BlockCodec.encodeVersion3([record])
        for cut in 0..<payload.count {
            #expect(throws: (any Error).self) {
                _ = try BlockCodec.decode(Array(payload.prefix(cut)))
            }
        }
        // Any byte changed, a lookup by any id returns or throws; it never traps.
        let trace = TraceID("4bf92f3577b34da6a3ce929d0e0e4736")!.key
        let span = SpanID("00f067aa0ba902b7")!.key
        let records = (0..<40).map { (i: Int) -> IndexedRecord in
            let recordTrace: IDKey = i % 2 == 0 ? trace : TraceID("t-\(i % 5)")!.key
            let start = Int64(i * 10)
            return IndexedRecord(
                time: Int64(i), startOffset: start, endOffset: start + 9, trace: recordTrace, span: i % 3 == 0 ? span : nil,
                raw: Array("m \(i) 4bf92f3577b34da6a3ce929d0e0e4736".utf8))
        }
        let block = BlockCodec.encodeVersion3(records)
        // Seeded: a failure is the same on every run.
        var generator = SplitMix64(seed: 24)
        for _ in 0..<2_000 {
            var damaged = block
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            for key in [trace, span, TraceID("t-3")!.key] { _ = try? BlockCodec.decode(damaged, matching: key) }
        }
        #expect(try BlockCodec.decode(block, matching: TraceID("t-3")!.key).map(\.startOffset) == [30, 130, 230, 330])

        // The same as stored (version 4): cut anywhere, it throws; damaged anywhere, in the key
        // section or the deflate stream, a lookup returns or throws.
        let stored = try BlockBuilder(records).stored(level: 6)
        for cut in 0..<stored.data.count {
            #expect(throws: (any Error).self) {
                _ = try BlockCodec.decode(stored: Array(stored.data.prefix(cut)), payloadBytes: stored.payloadBytes)
            }
        }
        for _ in 0..<2_000 {
            var damaged = stored.data
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            for key in [trace, span, TraceID("t-3")!.key] {
                _ = try? BlockCodec.decode(stored: damaged, payloadBytes: stored.payloadBytes, matching: key)
            }
        }
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: TraceID("t-3")!.key).map(\.startOffset) == [30, 130, 230, 330])
    }

    @Test("A lookup matches kind and every byte of the id: a trace whose first half is a span's value, or which differs in its last bit, is another id")
    func lookupMatchesWholeKeys() throws {
        let span = SpanID("00f067aa0ba902b7")!.key
        let trace = TraceID("00f067aa0ba902b70000000000000001")!.key
        let neighbour = TraceID("00f067aa0ba902b70000000000000000")!
        let opaque = TraceID("t-00f067aa0ba902b7")!.key
        let records = (0..<12).map { (i: Int) -> IndexedRecord in
            let recordTrace: IDKey? = [nil, trace, opaque][i % 3]
            let start = Int64(i * 10)
            return IndexedRecord(time: Int64(i), startOffset: start, endOffset: start + 9, trace: recordTrace, span: i % 2 == 0 ? span : nil, raw: Array("r \(i)".utf8))
        }
        let block = BlockCodec.encodeVersion3(records)
        let stored = try BlockBuilder(records).stored(level: 6)
        // Version 3 (one stream) and version 4 (as stored) find the same records.
        let lookups: [(IDKey) throws -> [IndexedRecord]] = [
            { try BlockCodec.decode(block, matching: $0) },
            { try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: $0) },
        ]
        for lookup in lookups {
            #expect(try lookup(trace).map(\.startOffset) == [10, 40, 70, 100])
            #expect(try lookup(opaque).map(\.startOffset) == [20, 50, 80, 110])
            #expect(try lookup(span).map(\.startOffset) == [0, 20, 40, 60, 80, 100])
            #expect(try lookup(neighbour.key).isEmpty)
            #expect(try lookup(SpanID("00f067aa0ba902b6")!.key).isEmpty)
        }
        #expect(throws: (any Error).self) { _ = try Zlib.inflate([1, 2, 3, 4], expectedSize: 10) }
    }

    @Test("A version 3 kind byte with a bit only version 4 uses (a packed UUID, its 2 bits) or none uses is refused")
    func version3KindFlags() throws {
        let trace = TraceID("ec339c58-031b-4a04-a76e-2fc5fbcaebf5")!.key
        let record = IndexedRecord(time: 1, startOffset: 0, endOffset: 9, trace: trace, raw: Array("r".utf8))
        let payload = BlockCodec.encodeVersion3([record])
        // Version, record count 1, key count 1, then the one kind byte.
        #expect(Array(payload.prefix(4)) == [BlockCodec.version, 1, 1, IDKey.Kind.trace.rawValue])
        #expect(try BlockCodec.decode(payload) == [record])
        for flag in [0x80, 0x40, 0x20, 0x10] as [UInt8] {
            var damaged = payload
            damaged[3] |= flag
            #expect(throws: (any Error).self, "flag \(flag)") { _ = try BlockCodec.decode(damaged) }
        }
    }

    @Test("gzip copies decode, also fed in pieces")
    func gzip() throws {
        // `printf 'hello\nworld\n' | gzip -cn | xxd -i`
        let gz: [UInt8] = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xe7, 0x2a,
            0xcf, 0x2f, 0xca, 0x49, 0xe1, 0x02, 0x00, 0xff, 0x5d, 0xc5, 0xc4, 0x0c, 0x00, 0x00, 0x00,
        ]
        #expect(try GzipStreamDecoder().decode(gz) == Array("hello\nworld\n".utf8))
        let decoder = try GzipStreamDecoder()
        var out: [UInt8] = []
        for byte in gz { out += try decoder.decode([byte]) }
        #expect(out == Array("hello\nworld\n".utf8))
    }

    @Test("Compressors and buffers kept between blocks: many threads at two levels, inputs of every size, each stream inflates to its own input")
    func pooledDeflate() async throws {
        // Sizes across the output buffer's growth (a kept buffer reused for a smaller input, then
        // grown for a larger), empty included; compressible and random bytes.
        let sizes = [0, 1, 100, 5_000, 140_000, 20, 300_000, 64]
        // libdeflate's output is deterministic: a stream made with a compressor of another level
        // than asked differs from these, made one at a time before.
        let text = Array((0..<3000).map { #"{"level":30,"msg":"step \#($0 * 7919 % 1000) done","n":\#($0 * 104729 % 9973)}"# }.joined(separator: "\n").utf8)
        let reference: [Int32: [UInt8]] = [6: try Zlib.deflate(text, level: 6), 1: try Zlib.deflate(text, level: 1)]
        #expect(reference[6] != reference[1])
        let outcomes = await withTaskGroup(of: String?.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var state = UInt64(task + 1) &* 0x9E37_79B9_7F4A_7C15
                    for round in 0..<6 {
                        for size in sizes {
                            let input: [UInt8] = (0..<size).map { i in
                                state = state &* 6364136223846793005 &+ 1442695040888963407
                                return round % 2 == 0 ? UInt8(truncatingIfNeeded: state >> 59) : UInt8(ascii: "a") + UInt8(i % 7)
                            }
                            let level: Int32 = (task + round) % 2 == 0 ? 6 : 1
                            guard let stream = try? Zlib.deflate(input, level: level),
                                  let back = try? Zlib.inflate(stream, expectedSize: input.count), back == input
                            else { return "task \(task), round \(round), \(size) bytes at level \(level)" }
                            guard (try? Zlib.deflate(text, level: level)) == reference[level] else {
                                return "task \(task), round \(round): the stream at level \(level) is not that level's"
                            }
                        }
                    }
                    return nil
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        #expect(outcomes.isEmpty, "\(outcomes)")
    }
}
