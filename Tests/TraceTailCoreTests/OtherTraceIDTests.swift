import Testing
import TraceTailCore

/// A record that carries two traces (its context's and a caller's header, say) is found by both;
/// its own stays the context's (docs/parsing.md, "Two trace ids in one record").
@Suite("Two trace ids in one record")
struct OtherTraceIDTests {
    static let own = TraceID(IDs.traceA)!
    static let header = TraceID(IDs.traceB)!
    static let third = TraceID("0af7651916cd43dd8448eb211c80319c")!

    @Test("the parser names the own trace id and the others", arguments: [
        // The context's key and an incoming header: the key is the record's own.
        (#"{"level":30,"traceId":"\#(IDs.traceA)","req":{"headers":{"x-trace-id":"\#(IDs.traceB)"}},"msg":"in"}"#,
         IDs.traceA, [IDs.traceB]),
        // A header alone is the record's own trace id (the only one it has); X-B3-TraceId too.
        (#"{"level":30,"req":{"headers":{"X-B3-TraceId":"\#(IDs.traceB)"}},"msg":"in"}"#, IDs.traceB, []),
        // A traceparent naming another trace than the key's.
        (#"{"level":30,"trace_id":"\#(IDs.traceA)","headers":{"traceparent":"00-\#(IDs.traceB)-00f067aa0ba902b7-01"},"msg":"fwd"}"#,
         IDs.traceA, [IDs.traceB]),
        // A deeper traceId naming another trace, and a header: both kept, in the order found.
        (#"{"traceId":"\#(IDs.traceA)","job":{"traceId":"0af7651916cd43dd8448eb211c80319c"},"h":{"x-trace-id":"\#(IDs.traceB)"},"msg":"x"}"#,
         IDs.traceA, ["0af7651916cd43dd8448eb211c80319c", IDs.traceB]),
        // The same id twice (a child logger's binding repeated, a header equal to the context) is one.
        (#"{"traceId":"\#(IDs.traceA)","traceId":"\#(IDs.traceA)","h":{"x-trace-id":"ec339c58-031b-4a04-a76e-2fc5fbcaebf5"},"msg":"x"}"#,
         IDs.traceA, []),
        // util.inspect text, as console.log writes an object.
        ("🔍 [WORKFLOW-TRACE] start { traceId: '\(IDs.traceA)', headers: { 'x-trace-id': '\(IDs.traceB)' } }",
         IDs.traceA, [IDs.traceB]),
    ])
    func parsed(_ line: String, _ own: String, _ others: [String]) {
        let fields = Support.parse(line)
        #expect(fields.traceID == TraceID(own), "\(line)")
        #expect(fields.otherTraceIDs == others.map { TraceID($0)! }, "\(line)")
    }

    @Test("a record with no other trace id has none (the common case costs nothing)")
    func none() {
        #expect(Support.parse(#"{"level":30,"traceId":"\#(IDs.traceA)","msg":"x"}"#).otherTraceIDs.isEmpty)
        #expect(Support.parse("plain text with no id").otherTraceIDs.isEmpty)
    }

    static func record(_ i: Int, trace: TraceID?, others: [TraceID]) -> IndexedRecord {
        let raw = Array("record \(i) \(trace?.canonical ?? "-") \(others.map(\.canonical))".utf8)
        return IndexedRecord(
            time: 1_782_986_400_000 + Int64(i), startOffset: Int64(i * 100), endOffset: Int64(i * 100 + raw.count + 1),
            trace: trace?.key, otherTraces: others.map(\.key), raw: raw)
    }

    @Test("a block keeps each record's other trace ids, indexes them, and a lookup by one finds the record")
    func block() throws {
        let records = [
            Self.record(0, trace: Self.own, others: []),
            Self.record(1, trace: Self.own, others: [Self.header]),
            Self.record(2, trace: Self.third, others: [Self.own, Self.header]),
            Self.record(3, trace: nil, others: []),
        ]
        let builder = BlockBuilder(records)
        #expect(builder.traces == [Self.own.key, Self.header.key, Self.third.key])
        let payload = builder.version3Payload()
        #expect(payload.first == BlockCodec.version)
        #expect(try BlockCodec.decode(payload) == records)
        let byHeader = try BlockCodec.decode(payload, matching: Self.header.key)
        #expect(byHeader.map(\.startOffset) == [100, 200])
        #expect(byHeader.allSatisfy { $0.trace != Self.header.key && $0.otherTraces.contains(Self.header.key) })
        #expect(try BlockCodec.decode(payload, matching: Self.own.key).map(\.startOffset) == [0, 100, 200])
        // As stored (version 4): the same.
        let stored = try builder.stored(level: 6)
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes) == records)
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: Self.header.key) == byHeader)
        #expect(try BlockCodec.decode(stored: stored.data, payloadBytes: stored.payloadBytes, matching: Self.own.key).map(\.startOffset) == [0, 100, 200])
        #expect(records[2].matches(Self.header.key) && !records[3].matches(Self.header.key))
    }

    @Test("a block written before other trace ids existed (codec version 2) is read as it was")
    func versionTwo() throws {
        // One record and no other trace id: version 3 writes one more byte than version 2, the
        // record's count of other trace ids (0) just before its text length; the text is short.
        let record = Self.record(7, trace: Self.own, others: [])
        var payload = BlockBuilder([record]).version3Payload()
        let textLength = Self.encodedTextLength(payload)
        let countAt = payload.count - textLength - 2
        #expect(payload[countAt] == 0)
        payload.remove(at: countAt)
        payload[0] = 2
        #expect(try BlockCodec.decode(payload) == [record])
        payload[0] = 4
        #expect(throws: (any Error).self) { try BlockCodec.decode(payload) }
    }

    /// The length of the one record's encoded text: the payload ends with it, preceded by its
    /// length (one byte, the text being short). Found by trying each length.
    private static func encodedTextLength(_ payload: [UInt8]) -> Int {
        (1..<128).first { n in payload.count > n + 1 && Int(payload[payload.count - n - 1]) == n } ?? 0
    }
}
