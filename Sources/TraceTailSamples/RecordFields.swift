/// A value of an extra field: a number or a fixed text.
enum ExtraValue: Sendable {
    case int(Int64)
    case text(StaticString)
}

/// How the id keys of a JSON record are spelled (FORMATS.md section 7).
enum KeyStyle: Sendable {
    /// `trace_id`, `span_id`, `parent_span_id`, `workflow_id`, `task_id`
    case snake
    /// `traceId`, `spanId`, `parentSpanId`, `workflowId`, `taskId`
    case camel
    /// `"ctx":{"trace_id":...,"span_id":...}`
    case nested
    /// `"trace.id"`, `"span.id"` (ECS)
    case dotted
}

/// What pino-http adds to a request record.
enum RequestInfo: Sendable {
    case none
    /// The incoming request that starts a workflow, with its W3C `traceparent` header.
    case create(clientSpan: UInt64)
    case response(status: Int, responseTime: Int)
    case health

    /// The trace id of an `x-trace-id` header some callers send besides `traceparent` (about one
    /// request in 23): their own trace, which the api logs and then ignores (the workflow runs
    /// under the traceparent's trace). Derived from the client's span, so it draws nothing from
    /// the random stream and every other byte of a sample stays as it was.
    static func customTrace(clientSpan: UInt64) -> (high: UInt64, low: UInt64)? {
        guard clientSpan % 23 == 0 else { return nil }
        return (clientSpan ^ 0x5EED_C0DE_0000_0000 | 1, clientSpan &* 0x9E37_79B9_7F4A_7C15 | 1)
    }
}

/// The fields of one record before it is rendered in a style. Reused between records (its buffers
/// keep their capacity) so generating a record allocates nothing.
struct RecordFields: Sendable {
    var time: Int64 = 0
    var level: UInt8 = 30
    var process = 0
    var hasTrace = false
    var high: UInt64 = 0
    var low: UInt64 = 0
    var spelling = IDSpelling.uuid
    var span: UInt64 = 0
    var parentSpan: UInt64 = 0
    var hasWorkflow = false
    var workflowHigh: UInt64 = 0
    var workflowLow: UInt64 = 0
    var task: Int32 = -1
    /// `🔍 [WORKFLOW-TRACE] `: printed before the message by console.log lines.
    var marker: StaticString = ""
    var markerInMessage = false
    var message: StaticString = ""
    var extras: [(key: StaticString, value: ExtraValue)] = []
    /// Index into `SampleText.failures`, or -1.
    var failure = -1
    var detail = 0
    var request = RequestInfo.none
    var requestID = 0

    mutating func reset(time: Int64, level: UInt8, process: Int) {
        self.time = time
        self.level = level
        self.process = process
        hasTrace = false
        span = 0
        parentSpan = 0
        hasWorkflow = false
        task = -1
        marker = ""
        markerInMessage = false
        message = ""
        extras.removeAll(keepingCapacity: true)
        failure = -1
        detail = 0
        request = .none
    }
}
