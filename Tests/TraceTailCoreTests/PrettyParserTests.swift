import Testing
@testable import TraceTailCore

@Suite("pino-pretty")
struct PrettyParserTests {
    /// The pretty fixtures render basic.ndjson's records. Without colours a multi-line message's second
    /// line (at column 0) cannot be told from a new record, so it becomes one (conservative); with
    /// colours the message colour is still open on the header line, which joins them.
    static let prettyFixtures = ["pino-pretty/default.log", "pino-pretty/colorize.log", "pino-pretty/sys-standard-time.log", "pino-pretty/ignore-pid-hostname.log"]

    @Test("blocks group into one record each and parse like the JSON they came from", arguments: prettyFixtures)
    func fixture(_ path: String) throws {
        let input = try Support.fixture(path)
        let records = Support.assemble(input)
        let coloured = path.contains("colorize")
        var expected = BasicRecords.all
        if !coloured {
            expected[17].message = "line one"
            expected.insert(Expected(message: "line two of a multi-line msg", time: nil, level: nil, format: .text), at: 18)
        }
        #expect(records.count == expected.count)
        let parser = RecordParser()
        for (k, (record, e)) in zip(records, expected).enumerated() {
            let fields = parser.parse(record.raw, referenceTime: Support.referenceTime)
            e.check(fields)
            if k != 18 || coloured {
                #expect(record.raw.first == UInt8(ascii: "["), "each record starts at a header")
                #expect(fields.format == .pinoPretty)
            }
        }
        // Raw keeps the colours; the message does not.
        if coloured { #expect(records[0].raw.contains(0x1B)) }
    }

    @Test("singleLine: the trailing JSON object holds the keys")
    func singleLine() throws {
        let records = Support.assemble(try Support.fixture("pino-pretty/single-line.log"))
        // 17 records, then the multi-line msg splits (a column-0 line starts a record), then `42 {"n":5}`.
        #expect(records.count == 20)
        let parser = RecordParser()
        for (record, e) in zip(records.prefix(17), BasicRecords.all.prefix(17)) {
            e.check(parser.parse(record.raw, referenceTime: Support.referenceTime))
        }
        let last = parser.parse(records[19].raw, referenceTime: Support.referenceTime)
        Expected(message: "42", time: BasicRecords.t(863), level: .info, format: .pinoPretty).check(last)
        #expect(Support.text(records[18].raw) == "line two of a multi-line msg")
    }

    static let inline: [(String, Int, Int64, Expected)] = [
        // Local time-of-day with a zone offset: 11:00 at UTC+1 is 10:00Z.
        ("[11:00:00.197] INFO (api/4242 on web-1): hello", 3600, Support.referenceTime,
         Expected(message: "hello", time: Support.tenOClock + 197, level: .info)),
        // Read just after midnight: the time belongs to the day before.
        ("[23:59:00.000] WARN (4242): late", 0, Support.tenOClock + 14 * 3_600_000 + 60_000,
         Expected(message: "late", time: Support.tenOClock + 13 * 3_600_000 + 59 * 60_000, level: .warn)),
        // SYS:standard with another zone.
        ("[2026-07-02 12:00:00.000 +0200] ERROR (4242): zoned\n    traceId: \"4bf92f3577b34da6a3ce929d0e0e4736\"", 0, 0,
         Expected(message: "zoned", time: Support.tenOClock, level: .error, trace: IDs.traceB)),
        // No message; nested JSON value with a traceparent.
        ("[10:00:00.000] INFO (4242):\n    req: {\n      \"headers\": {\n        \"traceparent\": \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"\n      }\n    }", 0, Support.referenceTime,
         Expected(message: "", time: Support.tenOClock, level: .info, trace: IDs.traceB, parent: IDs.spanA)),
        // Not a header: an unknown level word makes it text.
        ("[10:00:00.000] HELLO (4242): nope", 0, Support.referenceTime,
         Expected(message: "[10:00:00.000] HELLO (4242): nope", time: nil, level: nil, format: .text)),
    ]

    @Test("inline headers", arguments: inline)
    func inlineHeaders(_ input: String, _ offset: Int, _ reference: Int64, _ expected: Expected) {
        expected.check(Support.parse(input, referenceTime: reference, offset: offset))
    }
}
