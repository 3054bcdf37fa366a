import TraceTailCore

/// A trace summed up for `GET /traces/{id}` and `tracetail trace`: its time range, apps, counts
/// per level and the tree of its spans.
package struct TraceOverview: Sendable {
    package var traceID: String
    package var firstTime: Int64
    package var lastTime: Int64
    package var records: Int
    /// Records at error level or above (a record with no level counts as an error in `-error` files).
    package var errors: Int
    package var apps: [String]
    /// The hosts its records came from (one, except from a fleet store), sorted.
    package var hosts: [String] = []
    /// Records per level, lowest level first; a record with no level is counted as the `level`
    /// filter sees it (error in `-error` files, info elsewhere).
    package var levels: [(level: LogLevel, count: Int)]
    /// Records that carry no span id: counted under the trace itself.
    package var unspannedRecords: Int
    /// The roots of the span tree: spans with no parent, or whose parent has no records in the trace.
    package var spans: [SpanNode]
    package var spanCount: Int
    /// True when the trace has more records than the summary reads; the figures cover the first ones.
    package var truncated: Bool
    /// Blocks of the store that may hold records of the trace but could not be decoded: when
    /// above 0 the figures cover only the records that could be read (`partial` in JSON).
    package var unreadableBlocks = 0
    /// For each workflow and task id the trace's records carry, the records that carry it without
    /// the trace id (context lost, or written before the trace id was set).
    package var untracedByID: [(kind: IDKind, id: String, records: Int)] = []

    package var durationMillis: Int64 { lastTime - firstTime }
}

/// One span of a trace, with the spans whose parent it is.
package struct SpanNode: Sendable {
    package var spanID: String
    /// As the span's records name it; nil when none does.
    package var parentSpanID: String?
    package var apps: [String]
    package var firstTime: Int64
    package var lastTime: Int64
    package var records: Int
    package var errors: Int
    package var children: [SpanNode]

    package var durationMillis: Int64 { lastTime - firstTime }
}

