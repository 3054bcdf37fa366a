import Testing
import TraceTailCore

/// An epoch number's unit comes from its key and its format, not from its size alone.
@Suite("Time units")
struct TimeUnitTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var line: String
        /// RFC 3339, or nil: no time of its own.
        var expected: String?
        var testDescription: String { line }
    }

    static let cases: [Case] = [
        // pino `time`: milliseconds (Date.now()), whatever the size.
        Case(line: #"{"level":30,"time":1782986400123,"msg":"m"}"#, expected: "2026-07-02T10:00:00.123Z"),
        Case(line: #"{"level":30,"time":1000,"msg":"m"}"#, expected: "1970-01-01T00:00:01.000Z"),
        Case(line: #"{"level":30,"time":253402300799999,"msg":"m"}"#, expected: "9999-12-31T23:59:59.999Z"),
        Case(line: #"{"level":30,"time":1,"msg":"m"}"#, expected: "1970-01-01T00:00:00.001Z"),
        // 0 is a placeholder, not a time.
        Case(line: #"{"level":30,"time":0,"msg":"m"}"#, expected: nil),
        // pino `unixTime` and Python time.time(): ten digits are seconds.
        Case(line: #"{"level":30,"time":1795581871,"msg":"m"}"#, expected: "2026-11-25T04:44:31.000Z"),
        Case(line: #"{"level":30,"time":1795581871.25,"msg":"m"}"#, expected: "2026-11-25T04:44:31.250Z"),
        // Microseconds and nanoseconds: 16 and 19 digits, past the year 9999 as milliseconds.
        Case(line: #"{"level":30,"time":1782986400123456,"msg":"m"}"#, expected: "2026-07-02T10:00:00.123Z"),
        Case(line: #"{"level":30,"time":1782986400123456789,"msg":"m"}"#, expected: "2026-07-02T10:00:00.123Z"),
        // Past 9999-12-31 and not a µs/ns spelling: not a time (the record gets the reader's).
        Case(line: #"{"level":30,"time":25340230080000000,"msg":"m"}"#, expected: nil),
        Case(line: #"{"level":30,"time":99999999999999999999,"msg":"m"}"#, expected: nil),
        // `ts` (zap, go-kit): seconds with a fraction; small values are seconds too.
        Case(line: #"{"level":"info","ts":1782986400.5,"msg":"m"}"#, expected: "2026-07-02T10:00:00.500Z"),
        Case(line: #"{"level":"info","ts":1000,"msg":"m"}"#, expected: "1970-01-01T00:16:40.000Z"),
        Case(line: #"{"level":"info","ts":1782986400123,"msg":"m"}"#, expected: "2026-07-02T10:00:00.123Z"),
        // `timestamp` as a number: milliseconds (Java, JavaScript); as text (winston): ISO.
        Case(line: #"{"level":"info","timestamp":1000,"message":"m"}"#, expected: "1970-01-01T00:00:01.000Z"),
        Case(line: #"{"level":"info","timestamp":"2026-07-02T10:00:00.123Z","message":"m"}"#, expected: "2026-07-02T10:00:00.123Z"),
        // `@timestamp` (Elastic Common Schema): ISO text, or milliseconds.
        Case(line: #"{"@timestamp":"2026-07-02T10:00:00.123Z","log.level":"info","message":"m"}"#, expected: "2026-07-02T10:00:00.123Z"),
        Case(line: #"{"@timestamp":1782986400123,"level":"info","message":"m"}"#, expected: "2026-07-02T10:00:00.123Z"),
        // bunyan: ISO `time`.
        Case(line: #"{"name":"a","hostname":"h","pid":1,"level":30,"msg":"m","time":"2026-07-02T10:00:00.123Z","v":0}"#, expected: "2026-07-02T10:00:00.123Z"),
        // An epoch number written as text keeps its key's unit.
        Case(line: #"{"level":30,"time":"1000","msg":"m"}"#, expected: "1970-01-01T00:00:01.000Z"),
    ]

    @Test("epoch numbers by key and format", arguments: cases)
    func unit(_ c: Case) {
        let fields = Support.parse(c.line)
        #expect(fields.time.map(Timestamp.rfc3339) == c.expected)
    }

    @Test("the unit alone, at the boundaries")
    func boundaries() {
        func epoch(_ text: String, _ unit: FieldValues.EpochUnit) -> Int64? {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { FieldValues.epochNumber($0, 0, $0.count, unit: unit) }
        }
        #expect(epoch("999999999", .milliseconds) == 999_999_999)
        #expect(epoch("9999999999", .milliseconds) == 9_999_999_999_000)
        #expect(epoch("99999999999", .milliseconds) == 99_999_999_999)
        #expect(epoch("999999999", .seconds) == 999_999_999_000)
        #expect(epoch("253402300800000", .milliseconds) == nil)
        #expect(epoch("12a", .milliseconds) == nil)
    }

    @Test("times outside the years 0000-9999: refused when read, written as the nearer end when stored")
    func outsideTheYears() {
        // A zone moves these out of the four-digit years.
        #expect(DateTimeParser.parse("0000-01-01T00:00:00+01:00") == nil)
        #expect(DateTimeParser.parse("9999-12-31T23:00:00-05:00") == nil)
        #expect(Timestamp.parse("0000-01-01T00:30:00", defaultOffsetSeconds: 3600) == nil)
        #expect(DateTimeParser.parse("0000-01-01T00:00:00Z")?.milliseconds == Timestamp.earliestMillis)
        #expect(DateTimeParser.parse("9999-12-31T23:59:59.999Z")?.milliseconds == Timestamp.latestMillis)
        #expect(Timestamp.parse("1969-12-31T23:59:59.999Z") == -1)
        // A zone-less log time, read in the host's zone, is refused the same way.
        #expect(DateTimeParser.parse("9999-12-31T23:30:00")?.utc(localUTCOffsetSeconds: -5 * 3600) == nil)
        #expect(DateTimeParser.parse("0000-01-01T00:10:00")?.utc(localUTCOffsetSeconds: 3600) == nil)
        #expect(DateTimeParser.parse("2026-07-02T12:00:00")?.utc(localUTCOffsetSeconds: 7200) == 1_782_986_400_000)
        // A store may hold any 64-bit time (an older build's, another host's, a damaged block's).
        #expect(Timestamp.rfc3339(Timestamp.earliestMillis) == "0000-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(Timestamp.latestMillis) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.rfc3339(Timestamp.earliestMillis - 3_600_000) == "0000-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(Timestamp.latestMillis + 1) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.rfc3339(.min) == "0000-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(.max) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.rfc3339(-1) == "1969-12-31T23:59:59.999Z")
    }
}
