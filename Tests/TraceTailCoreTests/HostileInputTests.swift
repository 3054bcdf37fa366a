import Testing
@testable import TraceTailCore

@Suite("hostile input")
struct HostileInputTests {
    @Test("deep nesting does not overflow the stack, and a later top-level id is still found")
    func deepNesting() {
        let depth = 300_000
        var input = Array(#"{"deep":"#.utf8)
        input += [UInt8](repeating: UInt8(ascii: "["), count: depth)
        input += [UInt8](repeating: UInt8(ascii: "]"), count: depth)
        input += Array(#","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"deep"}"#.utf8)
        let fields = RecordParser().parse(input, referenceTime: 0)
        #expect(fields.traceID?.canonical == IDs.traceB)
        #expect(fields.message == "deep")
        // Unbalanced: only openers.
        let open = [UInt8](repeating: UInt8(ascii: "{"), count: depth)
        _ = RecordParser().parse(open, referenceTime: 0)
        let pretty = Array("[10:00:00.000] INFO (1): x ".utf8) + [UInt8](repeating: UInt8(ascii: "{"), count: 50_000) + [UInt8(ascii: "}")]
        _ = RecordParser().parse(pretty, referenceTime: 0)
    }

    @Test("a stack's join to the line before it compares a message's first 64 bytes: bounded on a half-megabyte message", .timeLimit(.minutes(1)))
    func longErrorHeader() {
        // Found by a read-only review: the whole message was looked for at every place of the
        // line before, 2.5 * 10^11 comparisons here (minutes), the tailer stalled.
        let before = Array(repeating: UInt8(ascii: "a"), count: 1_000_000)
        let header = Array("Error: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 499_999) + [UInt8(ascii: "b")]
        #expect(ErrorHeader.repeatsFirstLine(header, of: before))
        let logged = Array("failed: the payment provider answered 502 after three retries of the capture call; giving up".utf8)
        let stack = Array("Error: the payment provider answered 502 after three retries of the capture call; giving up now".utf8)
        #expect(ErrorHeader.repeatsFirstLine(stack, of: logged), "the message's first 64 bytes are in the line")
        #expect(!ErrorHeader.repeatsFirstLine(Array("Error: the payment provider answered 503".utf8), of: logged))
    }

    @Test("invalid UTF-8 and U+FFFD")
    func invalidUTF8() {
        var input = Array(#"{"level":30,"msg":"bad "#.utf8)
        input += [0xFF, 0xC3, 0x28, 0xE2, 0x82]
        input += Array(" and \u{FFFD} split\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}".utf8)
        let fields = RecordParser().parse(input, referenceTime: 0)
        #expect(fields.traceID?.canonical == IDs.traceB)
        #expect(fields.message.hasPrefix("bad \u{FFFD}"))
        #expect(fields.message.hasSuffix("and \u{FFFD} split"))
        // gzip bytes read as text.
        let gz: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]
        #expect(RecordParser().parse(gz, referenceTime: 0).format == .text)
    }

    @Test("NUL runs before a record (a truncation by a writer that is not PM2)")
    func nulRun() {
        var input = [UInt8](repeating: 0, count: 4096)
        input += Array(#"{"level":30,"time":1782986400000,"msg":"after nuls"}"#.utf8) + [0x0A]
        let records = Support.assemble(input)
        #expect(records.count == 1)
        let fields = RecordParser().parse(records[0].raw, referenceTime: 0)
        Expected(message: "after nuls", time: Support.tenOClock, level: .info).check(fields)
    }

    @Test("ANSI in raw ESC, escaped and orphan forms is stripped from the message only")
    func ansi() {
        let raw = Array("\u{1B}[1m\u{1B}[31mERROR\u{1B}[0m [33mwarned[39m \u{1B}]0;title\u{07}done".utf8)
        let fields = RecordParser().parse(raw, referenceTime: 0)
        #expect(fields.message == "ERROR warned done")
        let records = Support.assemble(raw + [0x0A])
        #expect(records.first?.raw == raw)
    }

    @Test("all-zero and malformed ids are not indexed", arguments: [
        #"{"trace_id":"00000000000000000000000000000000","span_id":"0000000000000000"}"#,
        #"{"traceId":"","spanId":""}"#,
        #"{"traceId":"has space","spanId":"has space"}"#,
        #"{"traceId":"4bf92f3577b34da6a3ce929d0e0e47","spanId":"00f067aa0ba902b7ff"}"#,
        #"{"traceId":{"nested":"object"}}"#,
        #"{"traceId":null,"spanId":undefined}"#,
        "trace_id=00000000000000000000000000000000 span_id=",
        "{ traceId: true, spanId: false }",
    ])
    func badIDs(_ input: String) {
        let fields = Support.parse(input)
        #expect(fields.traceID == nil)
        #expect(fields.spanID == nil)
    }

    @Test("a traceparent's trace is not paired with another trace's span")
    func traceparentMismatch() {
        let fields = Support.parse(#"{"trace_id":"ec339c58031b4a04a76e2fc5fbcaebf5","req":{"headers":{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}}"#)
        #expect(fields.traceID?.canonical == IDs.traceA)
        #expect(fields.parentSpanID == nil)
    }

    @Test("empty and whitespace records")
    func empty() {
        #expect(RecordParser().parse([], referenceTime: 0) == RecordFields(message: ""))
        #expect(RecordParser().parse(Array("  \r".utf8), referenceTime: 0).message == "")
        #expect(Support.assemble(Array("\n\n".utf8)).count == 2)
    }
}
