/// What the parser found in one record. Everything is optional but the message: a record nothing
/// could be parsed from still has its text as message.
package struct RecordFields: Sendable, Equatable {
    /// The record's time, in milliseconds since the Unix epoch (UTC): from the record itself, else
    /// from a PM2 prefix or envelope. `nil` when the record carries none (the reader's clock is used).
    package var time: Int64?
    package var level: LogLevel?
    package var traceID: TraceID?
    /// Other trace ids the record carries (an incoming `x-trace-id` beside the context's, say),
    /// without `traceID`: the record is stored under them too, but `traceID` is its own.
    package var otherTraceIDs: [TraceID] = []
    package var spanID: SpanID?
    package var parentSpanID: SpanID?
    package var workflowID: BusinessID?
    package var taskID: BusinessID?
    /// The message, ANSI escapes and PM2 prefixes removed.
    package var message: String
    /// A bracketed marker such as `WORKFLOW-TRACE` from `console.log('🔍 [WORKFLOW-TRACE] ...')`.
    package var marker: String?
    package var format: RecordFormat

    package init(
        time: Int64? = nil,
        level: LogLevel? = nil,
        traceID: TraceID? = nil,
        spanID: SpanID? = nil,
        parentSpanID: SpanID? = nil,
        workflowID: BusinessID? = nil,
        taskID: BusinessID? = nil,
        message: String,
        marker: String? = nil,
        format: RecordFormat = .text
    ) {
        self.time = time
        self.level = level
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.workflowID = workflowID
        self.taskID = taskID
        self.message = message
        self.marker = marker
        self.format = format
    }
}

extension RecordFields {
    /// Adds a trace id the record carries: its own when it has none yet, else another one.
    package mutating func addTraceID(_ id: TraceID) {
        guard let own = traceID else {
            traceID = id
            otherTraceIDs.removeAll { $0 == id }
            return
        }
        if own != id && !otherTraceIDs.contains(id) { otherTraceIDs.append(id) }
    }
}

/// The shape a record was recognised as.
package enum RecordFormat: UInt8, Sendable, Equatable, CaseIterable {
    case text = 0
    case pinoJSON = 1
    case pinoPretty = 2
    case inspect = 3
    case logfmt = 4
    case stackTrace = 5
    case json = 6

    package var name: String {
        switch self {
        case .text: "text"
        case .pinoJSON: "pino"
        case .pinoPretty: "pino-pretty"
        case .inspect: "inspect"
        case .logfmt: "logfmt"
        case .stackTrace: "stack"
        case .json: "json"
        }
    }
}
