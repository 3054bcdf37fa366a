import Testing
@testable import TraceTailCore

@Suite("pino JSON")
struct PinoParserTests {
    let parser = RecordParser()

    @Test("basic.ndjson: every record's fields")
    func basic() throws {
        let records = Support.assemble(try Support.fixture("pino/basic.ndjson"))
        #expect(records.count == BasicRecords.all.count)
        for (record, expected) in zip(records, BasicRecords.all) {
            let fields = parser.parse(record.raw, referenceTime: Support.referenceTime)
            expected.check(fields)
            #expect(fields.format == .pinoJSON)
        }
    }

    @Test("a user's field named like the level or the time does not take the logger's, wherever it stands")
    func userFieldsNamedLikeLevelAndTime() {
        // Found by read-only reviews: the last of the aliases won (a user's field written after
        // pino's took the level or the time); a first try at a priority broke winston, which
        // sorts a user's "time" (an elapsed time) before its own "timestamp".
        func parse(_ line: String) -> RecordFields { parser.parse(Array(line.utf8), referenceTime: 0) }
        let pino = parse(#"{"level":50,"time":1782986400123,"severity":"minor","timestamp":"n/a","msg":"payment failed"}"#)
        #expect(pino.level == .error)
        #expect(pino.time == 1_782_986_400_123)
        let winston = parse(#"{"level":"info","message":"request","time":45,"timestamp":"2026-07-02T10:00:00.123Z"}"#)
        #expect(winston.time == 1_782_986_400_123)
        #expect(parse(#"{"level":"info","message":"x","timestamp":"2026-07-02T10:00:00.123Z","ts":42}"#).time == 1_782_986_400_123)
        #expect(parse(#"{"level":"info","message":"x","time":"12ms","timestamp":"2026-07-02T10:00:00.123Z"}"#).time == 1_782_986_400_123)
        // bunyan writes a child logger's fields before its own level.
        #expect(parse(#"{"name":"api","severity":"minor","level":40,"msg":"slow"}"#).level == .warn)
        // Alone, each alias still counts.
        let alone = parse(#"{"severity":"warn","ts":1782986400.5,"msg":"m"}"#)
        #expect(alone.level == .warn)
        #expect(alone.time == 1_782_986_400_500)
    }

    @Test("level names of winston's npm and syslog levels, and a level written in colour")
    func levelNames() {
        // winston's npm and syslog levels (found by a review: an emerg record counted as info).
        for (name, level) in [("silly", LogLevel.trace), ("verbose", .debug), ("http", .info), ("alert", .fatal), ("emerg", .fatal)] {
            #expect(parser.parse(Array(#"{"level":"\#(name)","message":"m"}"#.utf8), referenceTime: 0).level == level, "\(name)")
        }
        // winston's colorize() before json(): the level's colour codes are not its name.
        #expect(parser.parse(Array(#"{"level":"\u001b[31merror\u001b[39m","message":"card declined"}"#.utf8), referenceTime: 0).level == .error)
    }

    @Test("CRLF line ends and epoch seconds")
    func crlfEpochSeconds() throws {
        let records = Support.assemble(try Support.fixture("pino/crlf-epoch-seconds.ndjson"))
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0.raw.last == 0x0D }, "raw keeps the CR")
        let expected = [
            Expected(message: "CRLF line, epoch seconds", time: 1_795_581_871_000, level: .info, trace: IDs.traceB),
            Expected(message: "another", time: 1_795_581_871_000, level: .info, trace: IDs.traceB),
        ]
        for (record, e) in zip(records, expected) { e.check(parser.parse(record.raw, referenceTime: 0)) }
    }

    @Test("string levels and ISO times")
    func stringLevelISOTime() throws {
        let records = Support.assemble(try Support.fixture("pino/string-level-iso-time.ndjson"))
        #expect(records.count == 2)
        let trace = "7131ef99fa7f4afe98c410a65672cfc2"
        Expected(message: "string level and ISO time", time: 1_795_581_870_604, level: .info, trace: trace)
            .check(parser.parse(records[0].raw, referenceTime: 0))
        Expected(message: "error as a string level", time: 1_795_581_870_604, level: .error, trace: trace)
            .check(parser.parse(records[1].raw, referenceTime: 0))
    }

    static let inline: [(String, Expected)] = [
        // msg missing: the error's message.
        (#"{"level":50,"time":1782986400000,"err":{"type":"Error","message":"boom \"quoted\"","stack":"Error: boom\n    at x (a.js:1:1)"}}"#,
         Expected(message: #"boom "quoted""#, time: Support.tenOClock, level: .error)),
        // msg as an object, and a message key nested deeper is not the message.
        (#"{"level":30,"time":1782986400000,"msg":{"a":1,"message":"no"}}"#,
         Expected(message: #"{"a":1,"message":"no"}"#, time: Support.tenOClock, level: .info)),
        // No time at all; custom level number; escapes and a surrogate pair decoded.
        (#"{"level":35,"msg":"tab\there \ud83d\udd0d"}"#, Expected(message: "tab\there 🔍", time: nil, level: LogLevel(rawValue: 35))),
        // Epoch seconds with a fraction; level names in capitals.
        (#"{"level":"WARN","time":1782986400.25,"msg":"x"}"#, Expected(message: "x", time: Support.tenOClock + 250, level: .warn)),
        // ISO time with an offset.
        (#"{"level":30,"time":"2026-07-02T12:00:00.5+02:00","msg":"x"}"#, Expected(message: "x", time: Support.tenOClock + 500, level: .info)),
        // ANSI written by the app as \u001b inside the JSON string: stripped from the message.
        (#"{"level":30,"time":1,"msg":"\u001b[31mred\u001b[39m and [32morphan[39m"}"#, Expected(message: "red and orphan", time: 1, level: .info)),  // pino's time is ms
        // Top-level ids win over nested ones, whichever comes first.
        (#"{"ctx":{"trace_id":"ec339c58031b4a04a76e2fc5fbcaebf5"},"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"top wins"}"#,
         Expected(message: "top wins", time: nil, level: nil, trace: IDs.traceB, format: .json)),
        (#"{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","ctx":{"trace_id":"ec339c58031b4a04a76e2fc5fbcaebf5"},"msg":"top wins"}"#,
         Expected(message: "top wins", time: nil, level: nil, trace: IDs.traceB, format: .json)),
        // camelCase, workflow and task ids; UUID ids keep their dashes, opaque ones their text.
        (#"{"level":30,"traceId":"EC339C58-031B-4A04-A76E-2FC5FBCAEBF5","spanId":"B7AD6B7169203331","parentSpanId":"00f067aa0ba902b7","workflowId":"7131EF99FA7F4AFE98C410A65672CFC2","taskId":"t-42","msg":"camel"}"#,
         Expected(message: "camel", time: nil, level: .info, trace: IDs.traceA, span: IDs.spanB, parent: IDs.spanA, workflow: IDs.workflow, task: "t-42")),
        // Opaque and broken ids.
        (#"{"traceId":"abc123","span_id":"0000000000000000","msg":"opaque"}"#, Expected(message: "opaque", time: nil, level: nil, trace: "abc123")),
        (#"{"trace_id":"4bf92f3577b34da6a3ce929d0e0e47","msg":"cut short"}"#, Expected(message: "cut short", time: nil, level: nil)),
        (#"{"trace_id":"00000000-0000-0000-0000-000000000000","msg":"zero uuid"}"#, Expected(message: "zero uuid", time: nil, level: nil)),
        // traceparent at the top level; an explicit parent span wins over the traceparent's.
        (#"{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","span_id":"b7ad6b7169203331","msg":"tp"}"#,
         Expected(message: "tp", time: nil, level: nil, trace: IDs.traceB, span: IDs.spanB, parent: IDs.spanA)),
        (#"{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","parent_span_id":"b7ad6b7169203331","msg":"tp"}"#,
         Expected(message: "tp", time: nil, level: nil, trace: IDs.traceB, parent: IDs.spanB)),
        // Invalid traceparents: version ff, all-zero trace, all-zero span, trailing data on version 00.
        (#"{"traceparent":"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","msg":"tp"}"#, Expected(message: "tp", time: nil, level: nil)),
        (#"{"traceparent":"00-00000000000000000000000000000000-00f067aa0ba902b7-01","msg":"tp"}"#, Expected(message: "tp", time: nil, level: nil)),
        (#"{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01","msg":"tp"}"#, Expected(message: "tp", time: nil, level: nil)),
        (#"{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xx","msg":"tp"}"#, Expected(message: "tp", time: nil, level: nil)),
        // A later version may append fields.
        (#"{"traceparent":"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xx","msg":"tp"}"#,
         Expected(message: "tp", time: nil, level: nil, trace: IDs.traceB, parent: IDs.spanA)),
        // Decimal Datadog ids written as numbers.
        (#"{"dd":{"trace_id":1234567890123456789,"span_id":987654321},"msg":"dd"}"#,
         Expected(message: "dd", time: nil, level: nil, trace: "1234567890123456789", span: "987654321")),
        // Odd times: a numeric string, zero, negative, exponent, prose, microseconds, nanoseconds.
        (#"{"time":"1782986400271","msg":"t"}"#, Expected(message: "t", time: Support.tenOClock + 271, level: nil)),
        (#"{"time":0,"msg":"t"}"#, Expected(message: "t", time: nil, level: nil)),
        (#"{"time":-5,"msg":"t"}"#, Expected(message: "t", time: nil, level: nil)),
        (#"{"time":1.7e12,"msg":"t"}"#, Expected(message: "t", time: nil, level: nil)),
        (#"{"time":"Thu Jul 02 2026","msg":"t"}"#, Expected(message: "t", time: nil, level: nil)),
        (#"{"time":1782986400271123,"msg":"t"}"#, Expected(message: "t", time: Support.tenOClock + 271, level: nil)),
        (#"{"time":1782986400271123456,"msg":"t"}"#, Expected(message: "t", time: Support.tenOClock + 271, level: nil)),
        // A nested time or level is not the record's.
        (#"{"req":{"time":5,"level":"error"},"msg":"t"}"#, Expected(message: "t", time: nil, level: nil)),
        // Leading spaces before the object; a level out of range.
        (#"   {"level":999,"msg":"spaced"}"#, Expected(message: "spaced", time: nil, level: nil)),
        // Strings that only look like keys do not count.
        (#"{"msg":"trace_id: 4bf92f3577b34da6a3ce929d0e0e4736","note":"\"traceId\":\"ec339c58031b4a04a76e2fc5fbcaebf5\""}"#,
         Expected(message: "trace_id: 4bf92f3577b34da6a3ce929d0e0e4736", time: nil, level: nil)),
    ]

    @Test("inline pino records", arguments: inline)
    func inlineRecords(_ input: String, _ expected: Expected) {
        expected.check(Support.parse(input))
    }
}
