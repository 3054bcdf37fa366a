import Testing
@testable import TraceTailCore

@Suite("console, logfmt, stacks and text")
struct TextFormatTests {
    @Test("util.inspect markers, short and wrapped")
    func inspect() throws {
        let records = Support.assemble(try Support.fixture("console/util-inspect.log"))
        #expect(records.count == 4)
        let expected = [
            Expected(message: "🔍 [WORKFLOW-TRACE] Task created and published", time: nil, level: nil, trace: IDs.traceB, task: "t-42", marker: "WORKFLOW-TRACE", format: .inspect),
            Expected(message: "🔍 [WORKFLOW-TRACE] Building agent envelope with trace context", time: nil, level: nil, trace: IDs.traceA, span: IDs.spanA,
                     workflow: IDs.workflow, marker: "WORKFLOW-TRACE", format: .inspect),
            Expected(message: "⚠️ [WORKFLOW-TRACE] Agent result received", time: nil, level: .warn, trace: IDs.traceA, marker: "WORKFLOW-TRACE", format: .inspect),
            Expected(message: "[REDIS-BUS] publish agent:scaffold:tasks", time: nil, level: nil, trace: IDs.traceA, span: IDs.spanB, parent: IDs.spanA,
                     marker: "REDIS-BUS", format: .inspect),
        ]
        let parser = RecordParser()
        for (record, e) in zip(records, expected) { e.check(parser.parse(record.raw, referenceTime: Support.referenceTime)) }
        #expect(Support.text(records[1].raw).hasSuffix("stage: 'initialization'\n}"))
    }

    @Test("Node's crash banner is one record")
    func crashBanner() throws {
        let input = try Support.fixture("node/crash-stderr.log")
        for chunk in [nil, 1, 5] as [Int?] {
            let records = Support.assemble(input, chunk: chunk)
            #expect(records.count == 1)
            #expect(records.first?.raw == Array(input.dropLast()))
            #expect(records.first?.endOffset == Int64(input.count))
        }
        var assembler = RecordAssembler(offset: 0)
        let records = assembler.append(input)
        #expect(records.count == 1, "Node.js v20 ends the banner: no wait for more")
        Expected(message: "TypeError: Cannot read properties of undefined (reading 'id')", time: nil, level: .error, format: .stackTrace)
            .check(RecordParser().parse(records[0].raw, referenceTime: 0))
    }

    @Test("a false start of a banner gives separate records")
    func bannerFalseStart() {
        let input = "listening on localhost:3000\nlocalhost:3000\nsecond\nthird\n"
        let records = Support.assemble(Array(input.utf8))
        #expect(records.map { Support.text($0.raw) } == ["listening on localhost:3000", "localhost:3000", "second", "third"])
    }

    @Test("stack traces with causes join the error line")
    func stacks() {
        let input = """
            Error: outer
                at f (a.js:1:1)
                at g (b.js:2:2) {
              [cause]: Error: inner
                  at h (c.js:3:3)
            }
            caused by: Error: deeper
                at i (d.js:4:4)
            after

            """
        let records = Support.assemble(Array(input.utf8))
        #expect(records.count == 2)
        #expect(Support.text(records[0].raw).hasSuffix("at i (d.js:4:4)"))
        Expected(message: "Error: outer", time: nil, level: .error, format: .stackTrace).check(RecordParser().parse(records[0].raw, referenceTime: 0))
        #expect(Support.text(records[1].raw) == "after")
    }

    @Test("console.error of an Error with its own properties: ids from the property block")
    func errorProperties() {
        let input = """
            ❌ [WORKFLOW-TRACE] task failed Error: rate limited by upstream (429)
                at RedisBus.publish (/srv/agents/deploy/dist/bus.js:216:13)
                at process.processTicksAndRejections (node:internal/process/task_queues:28:11) {
              code: 'E_RATE',
              traceId: 'f28d7909caf249eebf7a8300a37c2ad5',
              spanId: '5f1e9fff5092b5bc',
              parentSpanId: 'd4a9918ba11379b7',
              taskId: 't-1027'
            }
            next

            """
        let records = Support.assemble(Array(input.utf8))
        #expect(records.count == 2)
        Expected(message: "❌ [WORKFLOW-TRACE] task failed Error: rate limited by upstream (429)", time: nil, level: .error,
                 trace: "f28d7909caf249eebf7a8300a37c2ad5", span: "5f1e9fff5092b5bc", parent: "d4a9918ba11379b7", task: "t-1027",
                 marker: "WORKFLOW-TRACE", format: .stackTrace)
            .check(RecordParser().parse(records[0].raw, referenceTime: 0))
    }

    static let inline: [(String, Expected)] = [
        ("ts=2026-07-02T10:00:00.123Z level=warn trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 msg=\"hello \\\"world\\\"\"",
         Expected(message: "hello \"world\"", time: Support.tenOClock + 123, level: .warn, trace: IDs.traceB, span: IDs.spanA, format: .logfmt)),
        ("level=info workflow_id=7131ef99-fa7f-4afe-98c4-10a65672cfc2 task_id=t-9 done",
         Expected(message: "level=info workflow_id=7131ef99-fa7f-4afe-98c4-10a65672cfc2 task_id=t-9 done", time: nil, level: .info, workflow: IDs.workflow, task: "t-9", format: .logfmt)),
        ("level=info traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 msg=incoming",
         Expected(message: "incoming", time: nil, level: .info, trace: IDs.traceB, parent: IDs.spanA, format: .logfmt)),
        ("Server listening on port 3000", Expected(message: "Server listening on port 3000", time: nil, level: nil, format: .text)),
        ("processing trace_id=4bf92f3577b34da6a3ce929d0e0e4736 now", Expected(message: "processing trace_id=4bf92f3577b34da6a3ce929d0e0e4736 now", time: nil, level: nil, trace: IDs.traceB, format: .text)),
        ("\u{1B}[31mred\u{1B}[0m and [33morphan[0m text\u{0}", Expected(message: "red and orphan text", time: nil, level: nil)),
        ("⚠️ [WORKFLOW-TRACE] short { workflowId: '7131ef99-fa7f-4afe-98c4-10a65672cfc2', nested: { taskId: 't-1' } }",
         Expected(message: "⚠️ [WORKFLOW-TRACE] short", time: nil, level: .warn, workflow: IDs.workflow, task: "t-1", marker: "WORKFLOW-TRACE", format: .inspect)),
        ("[lowercase] no marker", Expected(message: "[lowercase] no marker", time: nil, level: nil)),
        ("results { }", Expected(message: "results { }", time: nil, level: nil, format: .text)),
    ]

    @Test("inline text records", arguments: inline)
    func inlineText(_ input: String, _ expected: Expected) {
        expected.check(Support.parse(input))
    }
}
