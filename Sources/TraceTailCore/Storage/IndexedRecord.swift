/// A record as the store keeps it: the original text plus the fields that lookups and filters use.
/// The message is not kept; it is parsed again from `raw` when the record is read.
package struct IndexedRecord: Sendable, Equatable {
    /// Milliseconds since the Unix epoch, UTC: the record's own time, or when it was read.
    package var time: Int64
    package var level: LogLevel?
    package var truncated: Bool
    package var startOffset: Int64
    package var endOffset: Int64
    package var trace: IDKey?
    /// Other trace ids the record carries besides its own `trace` (see `RecordFields.otherTraceIDs`):
    /// it is found by them too.
    package var otherTraces: [IDKey] = []
    package var span: IDKey?
    package var parentSpan: IDKey?
    package var workflow: IDKey?
    package var task: IDKey?
    package var raw: [UInt8]

    package init(
        time: Int64,
        level: LogLevel? = nil,
        truncated: Bool = false,
        startOffset: Int64,
        endOffset: Int64,
        trace: IDKey? = nil,
        span: IDKey? = nil,
        parentSpan: IDKey? = nil,
        workflow: IDKey? = nil,
        task: IDKey? = nil,
        otherTraces: [IDKey] = [],
        raw: [UInt8]
    ) {
        self.time = time
        self.level = level
        self.truncated = truncated
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.trace = trace
        self.span = span
        self.parentSpan = parentSpan
        self.workflow = workflow
        self.task = task
        self.otherTraces = otherTraces
        self.raw = raw
    }

    /// Builds the stored form from what the assembler cut and the parser found. `readTime` stands in
    /// for records that carry no time of their own.
    package init(_ record: AssembledRecord, fields: RecordFields, readTime: Int64) {
        self.init(
            time: fields.time ?? readTime,
            level: fields.level,
            truncated: record.truncated,
            startOffset: record.startOffset,
            endOffset: record.endOffset,
            trace: fields.traceID?.key,
            span: fields.spanID?.key,
            parentSpan: fields.parentSpanID?.key,
            workflow: fields.workflowID?.key,
            task: fields.taskID?.key,
            otherTraces: fields.otherTraceIDs.map(\.key),
            raw: record.raw
        )
    }

    /// Every trace id the record is found by: its own, then the others it carries. It counts in
    /// each of those traces' totals.
    package var allTraces: [IDKey] {
        guard let trace else { return otherTraces }
        return otherTraces.isEmpty ? [trace] : [trace] + otherTraces.filter { $0 != trace }
    }

    /// Whether the record is found by `key`.
    package func matches(_ key: IDKey) -> Bool {
        switch key.kind {
        case .trace, .traceOpaque: trace == key || otherTraces.contains(key)
        case .span, .spanOpaque: span == key
        case .workflow, .workflowOpaque: workflow == key
        case .task, .taskOpaque: task == key
        }
    }
}
