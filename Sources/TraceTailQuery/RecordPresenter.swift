import TraceTailCore

/// Turns stored records into what the API shows: times in RFC 3339, ids in canonical form, the
/// message parsed again from the original text.
package struct RecordPresenter: Sendable {
    package let parser: RecordParser

    package init(parser: RecordParser) {
        self.parser = parser
    }

    /// The record's message and marker (its ids and time are the stored ones).
    package func fields(of stored: StoredRecord) -> RecordFields {
        parser.display(stored.record.raw, referenceTime: stored.record.time)
    }

    package func write(_ stored: StoredRecord, fields: RecordFields, into object: inout JSONWriter.ObjectWriter) {
        let record = stored.record
        let file = stored.file
        // Times and ids written in place, not made into strings first (`JSONWriter.id`, the
        // canonical form of `TraceID`, `SpanID` and `BusinessID`). A key of another kind than its
        // field's (a damaged block's) is shown as none, as those types' `init?(key:)` had it.
        object.field("ts", time: record.time)
        object.field("host", file.host)
        object.field("app", file.app)
        object.field("stream", file.stream == .err ? "err" : "out")
        object.field("instance", file.instance)
        object.field("file", file.path)
        object.field("level", record.level?.name)
        object.field("trace_id", id: Self.only(record.trace, .trace))
        // The record is found by these too; `trace_id` is its own.
        object.array("other_trace_ids") { array in
            for other in record.otherTraces where Self.only(other, .trace) != nil { array.id(other) }
        }
        object.field("span_id", id: Self.only(record.span, .span))
        object.field("parent_span_id", id: Self.only(record.parentSpan, .span))
        object.field("workflow_id", id: Self.only(record.workflow, .business))
        object.field("task_id", id: Self.only(record.task, .business))
        object.field("msg", fields.message)
        object.field("marker", fields.marker)
        object.field("raw", raw: record.raw)
        object.field("truncated", record.truncated)
    }

    private enum Field { case trace, span, business }

    /// The key if it is of the field's kinds.
    @inline(__always)
    private static func only(_ key: IDKey?, _ field: Field) -> IDKey? {
        guard let key else { return nil }
        switch (field, key.kind) {
        case (.trace, .trace), (.trace, .traceOpaque), (.span, .span), (.span, .spanOpaque),
             (.business, .workflow), (.business, .workflowOpaque), (.business, .task), (.business, .taskOpaque):
            return key
        default:
            return nil
        }
    }

    /// One line of `tracetail query` output: time, app and stream, level, message.
    package func text(_ stored: StoredRecord) -> String {
        TextRenderer(presenter: self, colour: false).line(stored)
    }
}
