import Testing
@testable import TraceTailCore

@Suite("record assembler")
struct AssemblerTests {
    @Test("envelopes of an app that writes its newline first: records come out as they are read, not all held", .timeLimit(.minutes(1)))
    func newlineFirstEnvelopes() {
        // Found by a read-only review: each such envelope overlaps the one before, every record
        // was held until a megabyte gathered, and each line walked all of them (quadratic).
        var assembler = RecordAssembler(offset: 0)
        let line = Array(#"{"message":"\nX","process_id":0,"app_name":"a"}"#.utf8) + [0x0A]
        var released = 0
        for _ in 0..<20_000 { released += assembler.append(line).count }
        #expect(released >= 20_000 - RecordAssembler.maxHeldRecords - 1, "\(released) released of 20,000")
        released += assembler.closePending().count
        #expect(released > 0)
    }

    @Test("a line with no line end is never emitted, and closePending leaves it alone")
    func partialLine() {
        var assembler = RecordAssembler(offset: 100)
        #expect(assembler.append(Array(#"{"level":30,"msg":"ha"#.utf8)).isEmpty)
        #expect(assembler.closePending().isEmpty)
        #expect(assembler.hasPartialLine)
        #expect(assembler.committedOffset == 100)
        let records = assembler.append(Array("lf\"}\n".utf8))
        #expect(records.count == 1)
        #expect(records.first?.startOffset == 100)
        let end = Int64(100 + #"{"level":30,"msg":"ha"#.utf8.count + 5)
        #expect(records.first?.endOffset == end)
        #expect(assembler.committedOffset == end)
        #expect(!assembler.hasPartialLine && !assembler.hasPendingRecord)
    }

    @Test("complete JSON lines are emitted at once; text waits for the next line or the idle close")
    func pendingText() {
        var assembler = RecordAssembler(offset: 0)
        #expect(assembler.append(Array("{\"a\":1}\n".utf8)).count == 1)
        #expect(assembler.append(Array("Error: boom\n".utf8)).isEmpty)
        #expect(assembler.hasPendingRecord)
        #expect(assembler.committedOffset == 8)
        #expect(assembler.append(Array("    at x (a.js:1:1)\n".utf8)).isEmpty)
        let closed = assembler.closePending()
        #expect(closed.map { Support.text($0.raw) } == ["Error: boom\n    at x (a.js:1:1)"])
        #expect(assembler.committedOffset == 40)
        #expect(!assembler.hasPendingRecord)
    }

    @Test("a wrapped inspect object is emitted when its closing brace arrives")
    func inspectCloses() {
        var assembler = RecordAssembler(offset: 0)
        #expect(assembler.append(Array("msg {\n  a: 1\n".utf8)).isEmpty)
        let records = assembler.append(Array("}\n".utf8))
        #expect(records.map { Support.text($0.raw) } == ["msg {\n  a: 1\n}"])
        #expect(!assembler.hasPendingRecord)
    }

    @Test("a closing brace with no open block starts its own record")
    func strayBrace() {
        let records = Support.assemble(Array("plain\n}\n".utf8))
        #expect(records.map { Support.text($0.raw) } == ["plain", "}"])
    }

    @Test("blank lines, CRLF and bare CR survive byte for byte")
    func exactBytes() {
        let input = Array("a\r\n\r\n\nprogress 10%\rprogress 100%\r\n  indented first\n{\"x\":1}\r\n".utf8)
        let records = Support.assemble(input)
        var joined = records.map(\.raw).joined(separator: [0x0A]).map { $0 }
        joined.append(0x0A)
        #expect(joined == input)
        for (a, b) in zip(records, records.dropFirst()) { #expect(a.endOffset == b.startOffset) }
    }

    @Test("lines longer than the cap are truncated, flagged, and the next line is intact")
    func longLine() {
        let options = AssemblerOptions(maxRecordBytes: 64 * 1024)
        var long = Array(#"{"level":30,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":""#.utf8)
        long += [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        long += Array("\"}\n{\"msg\":\"next\"}\n".utf8)
        for chunk in [nil, 4096, 65536] as [Int?] {
            let records = Support.assemble(long, chunk: chunk, options: options)
            #expect(records.count == 2)
            #expect(records[0].truncated)
            #expect(records[0].raw.count == 64 * 1024)
            #expect(records[0].endOffset == Int64(long.count - 15))
            #expect(!records[1].truncated)
            #expect(Support.text(records[1].raw) == "{\"msg\":\"next\"}")
            let fields = RecordParser().parse(records[0].raw, referenceTime: 0)
            #expect(fields.traceID?.canonical == IDs.traceB, "ids before the cut are still found")
        }
    }

    @Test("a long multi-line record is capped too")
    func longBlock() {
        let options = AssemblerOptions(maxRecordBytes: 1000)
        var input = "Error: big\n"
        for i in 0..<200 { input += "    at f\(i) (file.js:\(i):1)\n" }
        input += "next\n"
        let records = Support.assemble(Array(input.utf8), options: options)
        #expect(records.count == 2)
        #expect(records[0].truncated && records[0].raw.count <= 1000)
        #expect(records[0].endOffset == Int64(input.utf8.count - 5))
    }

    @Test("a restart at committedOffset regenerates exactly the records not yet emitted")
    func restart() throws {
        for path in ["pino-pretty/default.log", "console/util-inspect.log", "node/crash-stderr.log", "pm2/json-envelope.log", "pm2/cluster-time-prefix.log"] {
            let input = try Support.fixture(path)
            let whole = Support.assemble(input)
            for cut in stride(from: 1, to: input.count, by: 37) {
                var first = RecordAssembler(offset: 0)
                let before = first.append(Array(input[0..<cut]))
                let offset = first.committedOffset
                #expect(before.last.map { $0.endOffset <= offset } ?? true)
                var second = RecordAssembler(offset: offset)
                var after = second.append(Array(input[Int(offset)...]))
                after += second.closePending()
                #expect(before + after == whole, "\(path) cut at \(cut)")
            }
        }
    }
}
