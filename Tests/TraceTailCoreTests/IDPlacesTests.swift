import Testing
@testable import TraceTailCore

/// The example line of every row of docs/parsing.md's "Where ids are found": each gives the ids the
/// table says.
@Suite("Every place an id is found, as docs/parsing.md lists it")
struct IDPlacesTests {
    static let t = IDs.traceB
    static let s = IDs.spanA

    /// (line, span expected, parent span expected, task expected); the trace is always `t`.
    static let rows: [(String, String?, String?, String?)] = [
        (#"{"level":30,"trace_id":"\#(t)","span_id":"\#(s)","msg":"charged"}"#, s, nil, nil),
        (#"{"level":"info","context":{"traceId":"\#(t)"},"message":"x"}"#, nil, nil, nil),
        (#"{"log.level":"info","trace.id":"\#(t)","span.id":"\#(s)","message":"x"}"#, s, nil, nil),
        (#"{"trace":{"id":"\#(t)"},"span":{"id":"\#(s)"},"message":"x"}"#, s, nil, nil),
        (#"{"traceparent":"00-\#(t)-\#(s)-01","msg":"x"}"#, nil, s, nil),
        ("calling billing with traceparent: 00-\(t)-\(s)-01", nil, s, nil),
        ("[10:00:00.000] INFO (1): x\n    trace_id: \"\(t)\"", nil, nil, nil),
        ("🔍 [WORKFLOW-TRACE] step { traceId: '\(t)', taskId: 't-7' }", nil, nil, "t-7"),
        ("level=info trace_id=\(t) span_id=\(s) msg=\"x\"", s, nil, nil),
        ("error: card declined {\"trace_id\":\"\(t)\",\"span_id\":\"\(s)\"}", s, nil, nil),
        ("[Nest] 7  - 11/29/2026, 9:31:23 PM   ERROR [Billing] [traceId: \(t)] card declined", nil, nil, nil),
        ("charge captured traceId: \(t), spanId: \(s); taskId: t-7", s, nil, "t-7"),
        ("Error: boom\n    at f (x.js:1:1) {\n  traceId: '\(t)'\n}", nil, nil, nil),
        ("Error: card declined\n    at async child (/srv/app/gen.js:375:3) {\"trace_id\":\"\(t)\",\"span_id\":\"\(s)\"}", s, nil, nil),
        ("ERROR [Billing] [traceId: \(t)] card declined\nError: card declined\n    at f (x.js:1:1)", nil, nil, nil),
    ]

    @Test("the table's example lines", arguments: rows)
    func row(_ line: String, _ span: String?, _ parent: String?, _ task: String?) {
        let f = Support.parse(line)
        #expect(f.traceID?.canonical == Self.t, "\(line)")
        #expect(f.spanID?.canonical == span, "\(line)")
        #expect(f.parentSpanID?.canonical == parent, "\(line)")
        #expect(f.taskID?.canonical == task, "\(line)")
    }
}
