import Testing
import TraceTailCore
@testable import TraceTailSamples

/// The bytes of each shape, checked against the layouts of FORMATS.md and the shared fixtures.
@Suite("Sample formats")
struct SampleFormatTests {
    /// Every record of a mixed run, grouped by shape.
    static func recordsByShape(count: Int = 6000) throws -> [RecordShape: [String]] {
        var generator = try SampleGenerator(options: SampleOptions(records: count, seed: 21))
        var out: [RecordShape: [String]] = [:]
        while let record = generator.next() {
            out[record.info.shape, default: []].append(String(decoding: record.bytes, as: UTF8.self))
        }
        return out
    }

    @Test("each shape is written the way FORMATS.md describes")
    func shapes() throws {
        let byShape = try Self.recordsByShape()
        for text in byShape[.pino] ?? [] {
            #expect(text.wholeMatch(of: /\{"level":\d\d,"time":\d{13},"pid":\d+,"hostname":"worker-1","name":"[a-z-]+",.*"msg":"[^"]*"\}\n/) != nil, "\(text)")
        }
        for text in byShape[.pinoTimePrefixed] ?? [] {
            #expect(text.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: [^\n]+\n/) != nil, "\(text)")
        }
        for text in byShape[.pinoPretty] ?? [] {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.first?.wholeMatch(of: /\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+0000\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) \(agent-[a-z]+\/\d+\): .+/) != nil, "\(text)")
            #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    ") }, "\(text)")
        }
        for text in byShape[.inspect] ?? [] {
            #expect(text.wholeMatch(of: /.*\[[A-Z-]+\] .+ \{ [a-zA-Z_]+: .+ \}\n/) != nil, "\(text)")
            #expect(text.count - 1 < 200)
        }
        for text in byShape[.inspectWrapped] ?? [] {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            // `msg {` then one key a line, or (console.error of an Error) the stack, ` {` after
            // its last frame, then the error's own properties.
            let opening = try #require(lines.firstIndex { $0.hasSuffix(" {") }, "\(text)")
            #expect(opening == lines.startIndex || lines[opening].hasPrefix("    at "), "\(text)")
            #expect(lines.last == "}")
            #expect(lines.dropFirst().dropLast().allSatisfy { $0.hasPrefix("  ") })
        }
        for text in byShape[.logfmt] ?? [] {
            #expect(text.wholeMatch(of: /ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=[a-z]+ app=[a-z-]+ pid=\d+ .*msg="[^"]+"( err="[^"]+")?\n/) != nil, "\(text)")
        }
        for text in byShape[.stackTrace] ?? [] {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.first?.wholeMatch(of: /[A-Za-z]*Error: .+/) != nil, "\(text)")
            #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    at ") })
        }
    }

    @Test("an error record holds err with type, message and an escaped stack, as pino writes it")
    func pinoError() throws {
        var generator = try SampleGenerator(options: SampleOptions(records: 4000, format: .pino, seed: 1))
        var errors = 0
        while let record = generator.next() {
            let text = String(decoding: record.bytes, as: UTF8.self)
            guard text.contains("\"err\":") else { continue }
            errors += 1
            #expect(text.hasPrefix("{\"level\":50,"))
            #expect(text.contains(/"err":\{"type":"[A-Za-z]*Error","message":"[^"]+","stack":"[A-Za-z]*Error: [^"]+\\n    at [^"]+"/))
            #expect(text.filter { $0 == "\n" }.count == 1)
            #expect(generator.layout.files[record.info.file].stream == .err)
        }
        #expect(errors > 0)
    }

    @Test("util.inspect wraps at Node's break length")
    func inspectWrapping() throws {
        let layout = SampleLayout(options: SampleOptions())
        let renderer = RecordRenderer(layout: layout)
        var fields = RecordFields()
        fields.reset(time: SampleOptions.defaultStart, level: 30, process: 0)
        fields.marker = "🔍 [WORKFLOW-TRACE] "
        fields.message = "Task created and published"
        fields.task = 42
        fields.extras.append(("queue", .text("tasks")))
        var scratch: [UInt8] = []
        var ends: [Int] = []
        var out: [UInt8] = []
        renderer.inspect(fields, snakeKeys: false, entries: &scratch, ends: &ends, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "🔍 [WORKFLOW-TRACE] Task created and published { taskId: 't-42', queue: 'tasks' }\n")

        fields.hasTrace = true
        fields.high = 0xEC33_9C58_031B_4A04
        fields.low = 0xA76E_2FC5_FBCA_EBF5
        fields.span = 0x00F0_67AA_0BA9_02B7
        out = []
        renderer.inspect(fields, snakeKeys: true, entries: &scratch, ends: &ends, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == """
            🔍 [WORKFLOW-TRACE] Task created and published {
              trace_id: 'ec339c58-031b-4a04-a76e-2fc5fbcaebf5',
              span_id: '00f067aa0ba902b7',
              task_id: 't-42',
              queue: 'tasks'
            }

            """)
    }

    @Test("times are written in each layout")
    func timeLayouts() {
        let ms = CivilTime.epochMilliseconds(year: 2026, month: 7, day: 2, hour: 10, minute: 0, second: 0, millisecond: 271)
        #expect(ms == 1_782_986_400_271)
        func text(_ layout: TimeLayout) -> String {
            var out: [UInt8] = []
            out.put(time: ms, layout: layout)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(text(.iso) == "2026-07-02T10:00:00.271Z")
        #expect(text(.pm2) == "2026-07-02T10:00:00")
        #expect(text(.pretty) == "2026-07-02 10:00:00.271 +0000")
        #expect(text(.rotation) == "2026-07-02_10-00-00")
        #expect(CivilTime.parse("2026-07-02T10:00:00.271Z") == ms)
        #expect(CivilTime.parse("2026-07-02") == ms - 36_000_271)
        #expect(CivilTime.parse("2026-13-02") == nil)
        #expect(CivilTime(epochMilliseconds: CivilTime.epochMilliseconds(year: 2024, month: 2, day: 29)) == CivilTime(epochMilliseconds: 1_709_164_800_000))
    }

    @Test("ids are spelled as asked")
    func idSpelling() {
        func text(_ spelling: IDSpelling) -> String {
            var out: [UInt8] = []
            out.put(id: 0xEC33_9C58_031B_4A04, 0xA76E_2FC5_FBCA_EBF5, spelling: spelling)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(text(.uuid) == "ec339c58-031b-4a04-a76e-2fc5fbcaebf5")
        #expect(text(.uuidUpper) == "EC339C58-031B-4A04-A76E-2FC5FBCAEBF5")
        #expect(text(.hex) == "ec339c58031b4a04a76e2fc5fbcaebf5")
        #expect(text(.hexUpper) == "EC339C58031B4A04A76E2FC5FBCAEBF5")
        var numbers: [UInt8] = []
        numbers.put(decimal: 0)
        numbers.put(byte: 32)
        numbers.put(decimal: 1_782_986_400_271)
        numbers.put(byte: 32)
        numbers.put(decimal: -42)
        #expect(String(decoding: numbers, as: UTF8.self) == "0 1782986400271 -42")
    }
}
