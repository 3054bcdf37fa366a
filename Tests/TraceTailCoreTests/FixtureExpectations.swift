@testable import TraceTailCore

/// What the records of `pino/basic.ndjson` say, read from the file and FORMATS.md: pino-pretty
/// renders the same records, so its fixtures expect the same fields.
enum BasicRecords {
    static func t(_ millis: Int64) -> Int64 { Support.tenOClock + millis }

    static let all: [Expected] = [
        Expected(message: "trace level line", time: t(197), level: .trace),
        Expected(message: "debug level line", time: t(234), level: .debug),
        Expected(message: "Workflow created", time: t(271), level: .info, trace: IDs.traceA, span: IDs.spanA, workflow: IDs.workflow),
        Expected(message: "slow upstream", time: t(308), level: .warn, trace: IDs.traceA, span: IDs.spanA, workflow: IDs.workflow),
        Expected(message: "task failed", time: t(345), level: .error, trace: IDs.traceA, span: IDs.spanB, parent: IDs.spanA, workflow: IDs.workflow),
        Expected(message: "publish failed", time: t(382), level: .error, trace: IDs.traceA, workflow: IDs.workflow),
        Expected(message: "fatal with camelCase trace id", time: t(419), level: .fatal, trace: IDs.traceB),
        Expected(message: "duplicate keys: the last wins", time: t(456), level: .info, trace: IDs.traceB),
        Expected(message: "", time: t(493), level: .info, trace: IDs.traceA, span: IDs.spanB),
        Expected(message: "msg given twice", time: t(530), level: .info),
        Expected(message: "🔍 [WORKFLOW-TRACE] Task created and published", time: t(567), level: .info, trace: IDs.traceA, marker: "WORKFLOW-TRACE"),
        Expected(message: "ECS dotted keys", time: t(604), level: .info, trace: IDs.traceB, span: IDs.spanA),
        Expected(message: "ids nested under ctx", time: t(641), level: .info, trace: IDs.traceB, span: IDs.spanA),
        // traceparent: its span is the parent of the span that logged; x-trace-id is not a trace key.
        Expected(message: "request received", time: t(678), level: .info, trace: IDs.traceB, parent: IDs.spanA),
        // Datadog decimal ids are opaque ids.
        Expected(message: "datadog decimal ids", time: t(715), level: .info, trace: "1234567890123456789", span: "987654321987654321"),
        Expected(message: "uppercase hex ids", time: t(752), level: .info, trace: IDs.traceB, span: IDs.spanA),
        Expected(message: "all-zero trace id is invalid", time: t(789), level: .info),
        Expected(message: "line one\nline two of a multi-line msg", time: t(826), level: .info),
        Expected(message: "42", time: t(863), level: .info),
    ]
}
