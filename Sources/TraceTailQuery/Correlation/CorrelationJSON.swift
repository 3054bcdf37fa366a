import TraceTailCore

/// The JSON answers of `GET /workflows/{id}` and `GET /tasks/{id}` (also `tracetail workflow
/// --json` and `tracetail task --json`); docs/api.md describes them.
package enum CorrelationJSON {
    package static func encode(_ answer: WorkflowAnswer) -> [UInt8] {
        var writer = JSONWriter(capacity: 4096 + 256 * (answer.trace?.spanCount ?? 0))
        writer.object { object in
            object.field("id", answer.id)
            object.field("database", answer.database.text)
            row("workflow", answer.workflow?.columns, into: &object)
            object.array("tasks") { array in
                for task in answer.tasks {
                    array.object { item in
                        item.field("task_id", task.id)
                        row("row", task.row?.columns, into: &item)
                        logs(task.logs, into: &item)
                    }
                }
            }
            trace(answer.trace, into: &object)
            findings(answer.findings, into: &object)
        }
        return writer.bytes
    }

    package static func encode(_ answer: TaskAnswer) -> [UInt8] {
        var writer = JSONWriter(capacity: 4096 + 256 * (answer.trace?.spanCount ?? 0))
        writer.object { object in
            object.field("id", answer.id)
            object.field("database", answer.database.text)
            row("task", answer.task?.columns, into: &object)
            row("workflow", answer.workflow?.columns, into: &object)
            logs(answer.logs, into: &object)
            trace(answer.trace, into: &object)
            findings(answer.findings, into: &object)
        }
        return writer.bytes
    }

    /// `GET /traces/{id}`: the summary, then the rows that hold the trace id.
    package static func encode(_ overview: TraceOverview, rows: TraceRows, database: DatabaseState) -> [UInt8] {
        var writer = JSONWriter(capacity: 2048 + 256 * overview.spanCount)
        writer.object { object in
            TraceOverviewJSON.write(overview, into: &object)
            write(rows, database: database, into: &object)
        }
        return writer.bytes
    }

    /// `"rows"` of `GET /traces/{id}` and `/traces/{id}/logs`: the database's state and the rows
    /// that hold the trace id.
    package static func write(_ rows: TraceRows, database: DatabaseState, into object: inout JSONWriter.ObjectWriter) {
        object.object("rows") { item in
            item.field("database", database.text)
            item.array("workflows") { array in
                for workflow in rows.workflows { array.object { columns(workflow.columns, into: &$0) } }
            }
            item.array("tasks") { array in
                for task in rows.tasks { array.object { columns(task.columns, into: &$0) } }
            }
        }
    }

    static func row(_ name: String, _ row: [(name: String, value: RowValue)]?, into object: inout JSONWriter.ObjectWriter) {
        guard let row else {
            object.field(name, nil as String?)
            return
        }
        object.object(name) { columns(row, into: &$0) }
    }

    static func columns(_ row: [(name: String, value: RowValue)], into object: inout JSONWriter.ObjectWriter) {
        for (name, value) in row {
            switch value {
            case .null: object.field(name, nil as String?)
            case .bool(let value): object.field(name, value)
            case .integer(let value): object.field(name, value)
            case .number(let value): object.field(name, value)
            case .text(let value): object.field(name, value)
            }
        }
    }

    static func logs(_ logs: LogEvidence, into object: inout JSONWriter.ObjectWriter) {
        object.field("records", logs.records)
        object.field("errors", logs.errors)
        object.field("first", logs.firstTime.map(Timestamp.rfc3339))
        object.field("last", logs.lastTime.map(Timestamp.rfc3339))
        object.array("trace_ids") { array in for id in logs.traceIDs { array.string(id) } }
        object.array("span_ids") { array in for id in logs.spanIDs { array.string(id) } }
    }

    static func trace(_ overview: TraceOverview?, into object: inout JSONWriter.ObjectWriter) {
        guard let overview else {
            object.field("trace", nil as String?)
            return
        }
        object.object("trace") { TraceOverviewJSON.write(overview, into: &$0) }
    }

    static func findings(_ findings: [Finding], into object: inout JSONWriter.ObjectWriter) {
        object.array("findings") { array in
            for finding in findings {
                array.object { item in
                    item.field("kind", finding.kind.rawValue)
                    item.field("severity", finding.severity.rawValue)
                    item.field("message", finding.message)
                    for (name, value) in finding.values {
                        switch value {
                        case .null: item.field(name, nil as String?)
                        case .text(let text): item.field(name, text)
                        case .number(let number): item.field(name, number)
                        case .texts(let texts): item.array(name) { list in for text in texts { list.string(text) } }
                        }
                    }
                }
            }
        }
    }
}
