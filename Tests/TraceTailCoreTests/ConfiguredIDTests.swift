import Testing
@testable import TraceTailCore

/// Ids where an app's own keys or prose put them, named in the configuration (`ids.*`): key names
/// at any depth, dotted paths from the top, and a pattern per kind. They fill only what the
/// built-in keys left empty, and nothing changes when none is configured.
@Suite("Configured id keys and patterns")
struct ConfiguredIDTests {
    static let options = IDFieldOptions(
        keys: [
            .trace: ["req.headers.x-correlation-id", "attributes.trace_id", "correlation"],
            .span: ["x-span"],
            .workflow: ["job.flow"],
            .task: ["step"],
        ],
        patterns: [.trace: try! IDPattern(#"corr=([0-9a-f]{32})"#), .parentSpan: try! IDPattern(#"(?i)parent<(?<id>[0-9a-f]{16})>"#)])

    static let cases: [(String, Expected)] = [
        // A dotted path from the top level, through nested objects.
        (#"{"level":30,"req":{"headers":{"x-correlation-id":"4bf92f3577b34da6a3ce929d0e0e4736","x-span":"00f067aa0ba902b7"}},"msg":"in"}"#,
         Expected(message: "in", time: nil, level: .info, trace: IDs.traceB, span: IDs.spanA, format: .pinoJSON)),
        // The same path written with dotted keys (OTel attributes, ECS style), case and `_`/`-` folded.
        (#"{"level":30,"Attributes.Trace-ID":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"flat"}"#,
         Expected(message: "flat", time: nil, level: .info, trace: IDs.traceB, format: .pinoJSON)),
        // A path is anchored at the top: the same keys deeper down are not it.
        (#"{"level":30,"body":{"req":{"headers":{"x-correlation-id":"4bf92f3577b34da6a3ce929d0e0e4736"}}},"msg":"deep"}"#,
         Expected(message: "deep", time: nil, level: .info, format: .pinoJSON)),
        // A bare name matches at any depth, in util.inspect text too; business ids as written.
        ("🔍 [JOB] started { job: { flow: 'wf-9' }, meta: { correlation: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', step: 's-2' } }",
         Expected(message: "🔍 [JOB] started", time: nil, level: nil, trace: IDs.traceB, workflow: "wf-9", task: "s-2", marker: "JOB", format: .inspect)),
        // The built-in key wins over a configured one.
        (#"{"level":30,"trace_id":"ec339c58031b4a04a76e2fc5fbcaebf5","correlation":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"own"}"#,
         Expected(message: "own", time: nil, level: .info, trace: IDs.traceA, format: .pinoJSON)),
        // Patterns over prose; an inline option and a named group count as the one capture.
        ("payment ok corr=4bf92f3577b34da6a3ce929d0e0e4736 PARENT<00f067aa0ba902b7>",
         Expected(message: "payment ok corr=4bf92f3577b34da6a3ce929d0e0e4736 PARENT<00f067aa0ba902b7>", time: nil, level: nil,
                  trace: IDs.traceB, parent: IDs.spanA, format: .text)),
        // A pattern whose capture is no valid id gives none.
        ("payment ok corr=00000000000000000000000000000000", Expected(message: "payment ok corr=00000000000000000000000000000000", time: nil, level: nil, format: .text)),
    ]

    @Test("configured keys, paths and patterns are found", arguments: cases)
    func found(_ input: String, _ expected: Expected) {
        let parser = RecordParser(options: .init(ids: Self.options))
        expected.check(parser.parse(Array(input.utf8), referenceTime: Support.referenceTime))
    }

    @Test("deep nesting with configured paths: each value's path compared where it lies", .timeLimit(.minutes(1)))
    func deepNestingWithPaths() {
        // Found by a read-only review: the path was built for every value, a copy of the whole
        // path each time: 80,000 nested objects each with a key were 6.4 * 10^9 copies (minutes).
        let depth = 80_000
        let input = Array((String(repeating: #"{"a":"#, count: depth) + String(repeating: #""k":1,"#, count: depth)
            + String(repeating: "}", count: depth)).utf8)
        let parser = RecordParser(options: .init(ids: Self.options))
        _ = parser.parse(input, referenceTime: 0)
        // And a path still matches when found.
        let f = parser.parse(Array(#"{"level":30,"job":{"flow":"wf-9"},"msg":"m"}"#.utf8), referenceTime: 0)
        #expect(f.workflowID?.canonical == "wf-9")
    }

    @Test("without configuration, the same lines give only the built-in ids")
    func defaults() {
        let f = Support.parse(Self.cases[0].0)
        #expect(f.traceID == nil && f.spanID == nil)
        #expect(Support.parse(Self.cases[5].0).traceID == nil)
    }

    @Test("a pattern must compile and have exactly one capture group", arguments: [
        ("corr=([0-9a-f]+", "is not a regular expression"),
        ("corr=[0-9a-f]+", "has 0 capture groups"),
        ("(a)=(b)", "has 2 capture groups"),
    ])
    func badPatterns(_ source: String, _ message: String) {
        #expect(throws: IDPattern.Failure.self) { try IDPattern(source) }
        do {
            _ = try IDPattern(source)
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
        #expect(IDPattern.captureGroups(#"(?:x)(?=y)(?<!z)\((a)[(]"#) == 1)
    }
}
