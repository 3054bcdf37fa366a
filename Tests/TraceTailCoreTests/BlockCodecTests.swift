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
        let summary = BlockCodec.summary(of: records)
        #expect(summary.count == 300)
        #expect(summary.keys == [trace, opaque, span].sorted())
        let payload = BlockCodec.encode(records, summary: summary)
        let compressed = try Zlib.deflate(payload, level: 6)
        #expect(compressed.count < payload.count)
        let inflated = try Zlib.inflate(compressed, expectedSize: payload.count)
        let decoded = try BlockCodec.decode(inflated, minTime: summary.minTime, firstOffset: summary.firstOffset)
        #expect(decoded == records)
    }

    @Test("A damaged payload is an error, not a crash")
    func corrupt() throws {
        let record = IndexedRecord(time: 1, startOffset: 0, endOffset: 4, raw: Array("abc".utf8))
        let summary = BlockCodec.summary(of: [record])
        let payload = BlockCodec.encode([record], summary: summary)
        for cut in 0..<payload.count {
            #expect(throws: (any Error).self) {
                _ = try BlockCodec.decode(Array(payload.prefix(cut)), minTime: 0, firstOffset: 0)
            }
        }
        #expect(throws: (any Error).self) { _ = try Zlib.inflate([1, 2, 3, 4], expectedSize: 10) }
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
}
