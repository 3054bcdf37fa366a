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
        object.field("ts", Timestamp.rfc3339(record.time))
        object.field("host", file.host)
        object.field("app", file.app)
        object.field("stream", file.stream == .err ? "err" : "out")
        object.field("instance", file.instance)
        object.field("file", file.path)
        object.field("level", record.level?.name)
        object.field("trace_id", record.trace.flatMap(TraceID.init(key:))?.canonical)
        // The record is found by these too; `trace_id` is its own.
        object.array("other_trace_ids") { array in
            for other in record.otherTraces {
                if let id = TraceID(key: other) { array.string(id.canonical) }
            }
        }
        object.field("span_id", record.span.flatMap(SpanID.init(key:))?.canonical)
        object.field("parent_span_id", record.parentSpan.flatMap(SpanID.init(key:))?.canonical)
        object.field("workflow_id", record.workflow.flatMap(BusinessID.init(key:))?.canonical)
        object.field("task_id", record.task.flatMap(BusinessID.init(key:))?.canonical)
        object.field("msg", fields.message)
        object.field("marker", fields.marker)
        object.field("raw", raw: record.raw)
        object.field("truncated", record.truncated)
    }

    /// One line of `tracetail query` output: time, app and stream, level, message.
    package func text(_ stored: StoredRecord) -> String {
        TextRenderer(presenter: self, colour: false).line(stored)
    }
}
