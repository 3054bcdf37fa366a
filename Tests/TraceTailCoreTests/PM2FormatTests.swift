import Testing
@testable import TraceTailCore

@Suite("PM2 prefixes and envelopes")
struct PM2FormatTests {
    @Test("file names: app, stream, instance, and the live file a rotated copy was made of")
    func fileNames() throws {
        func parse(_ name: String) -> String? {
            PM2FileName(name).map { "\($0.app) \($0.stream) \($0.instance.map(String.init) ?? "-") \($0.rotatedFrom ?? "live")\($0.isCompressed ? " gz" : "")" }
        }
        #expect(parse("api-out.log") == "api out - live")
        #expect(parse("api-error-3.log") == "api err 3 live")
        #expect(parse("orchestrator.log") == "orchestrator combined - live")
        #expect(parse("api-out__2026-07-02_00-00-00.log") == "api out - api-out.log")
        #expect(parse("api-out-2__2026-07-02_00-00-00.log.gz") == "api out 2 api-out-2.log gz")
        #expect(parse("api-out.log.1") == "api out - api-out.log")
        // `__` in an app's name: a live file, and its copies name it whole.
        #expect(parse("my__api-out.log") == "my__api out - live")
        #expect(parse("my__api-out__2026-07-02_00-00-00.log") == "my__api out - my__api-out.log")
        #expect(parse("__init__-out.log") == "__init__ out - live")
        #expect(parse("job__1-error-2.log") == "job__1 err 2 live")
        // A dateFormat without digits first (pm2-logrotate's is any moment format).
        #expect(parse("api-out__Jul-02.log") == "api out - api-out.log")
        #expect(parse("api-out.txt") == nil)
        #expect(parse("__2026-07-02.log") == nil)
    }

    @Test("fork mode --time: every line prefixed, JSON parsed after the prefix")
    func forkPrefix() throws {
        let records = Support.assemble(try Support.fixture("pm2/fork-time-prefix.log"))
        #expect(records.count == BasicRecords.all.count)
        let parser = RecordParser()
        for (record, e) in zip(records, BasicRecords.all) {
            let fields = parser.parse(record.raw, referenceTime: Support.referenceTime)
            e.check(fields)
            #expect(fields.format == .pinoJSON)
        }
    }

    @Test("cluster mode --time: inner prefixes stripped, unprefixed frames join the error")
    func clusterPrefix() throws {
        let records = Support.assemble(try Support.fixture("pm2/cluster-time-prefix.log"))
        #expect(records.count == 3)
        let parser = RecordParser()
        BasicRecords.all[2].check(parser.parse(records[0].raw, referenceTime: Support.referenceTime))
        Expected(message: "partial rest of the partial line", time: Support.tenOClock, level: nil, format: .text)
            .check(parser.parse(records[1].raw, referenceTime: Support.referenceTime))
        Expected(message: "Error: boom", time: Support.tenOClock, level: .error, format: .stackTrace)
            .check(parser.parse(records[2].raw, referenceTime: Support.referenceTime))
        #expect(Support.text(records[2].raw).hasSuffix("    at b (y.js:2:2)"))
    }

    @Test("fork mode stack: each frame has its own prefix and still joins the error")
    func forkStack() {
        let input = "2026-07-02T10:00:00: TypeError: x is undefined\n2026-07-02T10:00:00:     at f (a.js:1:1)\n2026-07-02T10:00:01:     at g (b.js:2:2)\n2026-07-02T10:00:01: next\n"
        let records = Support.assemble(Array(input.utf8))
        #expect(records.count == 2)
        let fields = Support.parse(Support.text(records[0].raw))
        Expected(message: "TypeError: x is undefined", time: Support.tenOClock, level: .error, format: .stackTrace).check(fields)
        #expect(Support.text(records[1].raw) == "2026-07-02T10:00:01: next")
    }

    static let prefixes: [(String, Int, Expected)] = [
        ("2026-07-02T12:00:00: hello", 7200, Expected(message: "hello", time: Support.tenOClock, level: nil)),
        ("2026-07-02 10:00:00.250: hello world", 0, Expected(message: "hello world", time: Support.tenOClock + 250, level: nil)),
        ("2026-07-02 12:00:00 +02:00: custom zone", 0, Expected(message: "custom zone", time: Support.tenOClock, level: nil)),
        ("2026-07-02T10:00:00.000Z: iso zone", 3600, Expected(message: "iso zone", time: Support.tenOClock, level: nil)),
        // The record's own time wins over the prefix.
        (#"2026-07-02T11:00:00: {"level":30,"time":1782986400000,"msg":"own"}"#, 0, Expected(message: "own", time: Support.tenOClock, level: .info)),
        // A prefix that cannot be read as a date still goes; no time then.
        ("02/07/2026 10:00:00: day first", 0, Expected(message: "day first", time: nil, level: nil)),
        // A cluster-mode JSON record split across two writes is whole again.
        (#"2026-07-02T10:00:00: {"level":30,"time":1782986400000,"trace_id":"4bf92f35772026-07-02T10:00:00: b34da6a3ce929d0e0e4736","msg":"joined"}"#, 0,
         Expected(message: "joined", time: Support.tenOClock, level: .info, trace: IDs.traceB)),
        // Not a prefix: a time with a word in it.
        ("2026-07-02 10:00:00 INFO: text", 0, Expected(message: "2026-07-02 10:00:00 INFO: text", time: nil, level: nil)),
    ]

    @Test("prefix formats", arguments: prefixes)
    func prefixFormats(_ input: String, _ offset: Int, _ expected: Expected) {
        expected.check(Support.parse(input, offset: offset))
    }

    @Test("JSON envelope: decoded, split into lines, halves joined, timestamp as fallback")
    func envelope() throws {
        let input = try Support.fixture("pm2/json-envelope.log")
        let lineEnds = input.indices.filter { input[$0] == 0x0A }.map { Int64($0 + 1) }
        for chunk in [nil, 1, 7, 100] as [Int?] {
            var assembler = RecordAssembler(offset: 0)
            var records: [AssembledRecord] = []
            var i = 0
            let size = chunk ?? input.count
            while i < input.count {
                records += assembler.append(Array(input[i..<min(input.count, i + size)]))
                i += size
            }
            #expect(assembler.committedOffset == Int64(input.count), "chunk \(String(describing: chunk))")
            #expect(!assembler.hasPendingRecord)
            #expect(records.count == 4)
            guard records.count == 4 else { continue }
            let parser = RecordParser()
            let expected = [BasicRecords.all[2], BasicRecords.all[3], BasicRecords.all[4], BasicRecords.all[5]]
            for (record, e) in zip(records, expected) {
                #expect(record.raw.first == UInt8(ascii: "{") && record.raw.last == UInt8(ascii: "}"), "raw is the inner JSON")
                #expect(record.envelopeTime == Support.tenOClock + 123)
                e.check(parser.parse(record: record, referenceTime: Support.referenceTime))
            }
            #expect(records[0].startOffset == 0 && records[0].endOffset == lineEnds[0])
            #expect(records[1].startOffset == lineEnds[0] && records[1].endOffset == lineEnds[1])
            #expect(records[2].startOffset == lineEnds[0] && records[2].endOffset == lineEnds[1])
            #expect(records[3].startOffset == lineEnds[1] && records[3].endOffset == lineEnds[3])
        }
    }

    @Test("envelope without a time of its own in the record: the envelope's timestamp is the time")
    func envelopeTime() {
        let line = #"{"message":"plain text\nsecond","timestamp":"2026-07-02T10:00:00.123Z","type":"out","process_id":0,"app_name":"a"}"# + "\n"
        let next = #"{"message":" line\n","timestamp":"2026-07-02T10:00:01.000Z","type":"out","process_id":0,"app_name":"a"}"# + "\n"
        var assembler = RecordAssembler(offset: 0)
        var records = assembler.append(Array(line.utf8))
        // "plain text" may still take continuation lines; "second" waits for the rest of its line.
        #expect(assembler.committedOffset == 0)
        records += assembler.append(Array(next.utf8))
        records += assembler.closePending()
        #expect(records.map { Support.text($0.raw) } == ["plain text", "second line"])
        #expect(assembler.committedOffset == Int64(line.utf8.count + next.utf8.count))
        let parser = RecordParser()
        #expect(parser.parse(record: records[0], referenceTime: 0).time == Support.tenOClock + 123)
        #expect(parser.parse(record: records[1], referenceTime: 0).time == Support.tenOClock + 123)
        #expect(parser.parse(records[1].raw, referenceTime: 0, fallbackTime: 5).time == 5)
    }

    @Test("an app's own JSON with a message key is not an envelope")
    func notEnvelope() {
        let line = #"{"message":"hi","timestamp":"2026-07-02T10:00:00.123Z","level":"info"}"# + "\n"
        let records = Support.assemble(Array(line.utf8))
        #expect(records.count == 1)
        #expect(Support.text(records[0].raw) + "\n" == line)
        Expected(message: "hi", time: Support.tenOClock + 123, level: .info).check(Support.parse(Support.text(records[0].raw)))
    }
}

@Suite("PM2 envelope limits")
struct EnvelopeLimitTests {
    static func envelope(_ message: String) -> [UInt8] {
        var escaped = ""
        for c in message.unicodeScalars {
            switch c {
            case "\n": escaped += "\\n"
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            default: escaped.unicodeScalars.append(c)
            }
        }
        return Array((#"{"message":""# + escaped + #"","timestamp":"2026-07-02T10:00:00.000Z","type":"out","process_id":1,"app_name":"a"}"# + "\n").utf8)
    }

    @Test("half a line inside envelopes is capped at maxRecordBytes and flagged when it ends")
    func innerCap() {
        var assembler = RecordAssembler(offset: 0, options: AssemblerOptions(maxRecordBytes: 1000))
        var records: [AssembledRecord] = []
        for _ in 0..<5 { records += assembler.append(Self.envelope(String(repeating: "x", count: 400))) }
        #expect(records.isEmpty)
        #expect(assembler.hasPartialLine)
        #expect(assembler.committedOffset == 0)
        records += assembler.append(Self.envelope("end\n{\"msg\":\"next\"}\n"))
        #expect(records.count == 2)
        #expect(records.first?.truncated == true)
        #expect(records.first?.raw.count == 1000)
        #expect(records.last.map { Support.text($0.raw) } == "{\"msg\":\"next\"}")
        #expect(!assembler.hasPartialLine)
        #expect(assembler.committedOffset == assembler.readOffset)
    }

    @Test("records held behind a chain of half lines are released once they pass maxRecordBytes")
    func forcedRelease() {
        // Envelope lines (about 230 bytes) fit the cap; the records they hold pass it after four.
        var assembler = RecordAssembler(offset: 0, options: AssemblerOptions(maxRecordBytes: 300))
        var records: [AssembledRecord] = []
        var starts: [Int64] = []
        for k in 0..<5 {
            starts.append(assembler.readOffset)
            records += assembler.append(Self.envelope((k == 0 ? "" : "tail\(k)\n") + String(repeating: "{\"a\":1}\n", count: 10) + "half\(k)"))
        }
        // Every envelope ends mid-line, so no envelope boundary is clean; memory must not grow.
        #expect(records.count == 43)
        #expect(records.allSatisfy { !$0.truncated })
        #expect(assembler.committedOffset == starts[4], "commit moved past the envelope where the release was forced")
        #expect(records.allSatisfy { $0.endOffset <= assembler.readOffset })
    }

    @Test("a plain line after half an envelope line ends that fragment")
    func fragmentThenPlain() {
        var assembler = RecordAssembler(offset: 0)
        let first = Self.envelope("{\"msg\":\"cut")
        var records = assembler.append(first)
        records += assembler.append(Array("plain line\n".utf8))
        records += assembler.closePending()
        #expect(records.map { Support.text($0.raw) } == ["{\"msg\":\"cut", "plain line"])
        #expect(records.first?.endOffset == Int64(first.count))
        #expect(assembler.committedOffset == assembler.readOffset)
    }

    @Test("a pino-pretty block inside envelopes groups like in a plain file")
    func prettyInEnvelopes() {
        var assembler = RecordAssembler(offset: 0)
        var records = assembler.append(Self.envelope("[10:00:00.000] INFO (1): a\n    trace_id: \"4bf92f3577b34da6a3ce929d0e0e4736\"\n"))
        records += assembler.append(Self.envelope("[10:00:00.001] INFO (1): b\n"))
        records += assembler.closePending()
        #expect(records.count == 2)
        let fields = RecordParser().parse(record: records[0], referenceTime: Support.referenceTime)
        Expected(message: "a", time: Support.tenOClock, level: .info, trace: IDs.traceB, format: .pinoPretty).check(fields)
        #expect(records[1].startOffset == records[0].endOffset)
    }
}
