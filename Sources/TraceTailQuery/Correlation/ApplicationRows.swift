import TraceTailCore

/// A column's value as the application's database gave it, for answers: JSON's kinds of value.
package enum RowValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case text(String)

    /// The value as an id or status is compared: text as it is, numbers in base 10, nil for null.
    package var text: String? {
        switch self {
        case .null: nil
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .text(let value): value
        }
    }
}

/// A `"Workflow"` row: every column in the order the database gave them, and the few the
/// findings need, picked out by the configured column names.
package struct WorkflowRow: Sendable {
    package var columns: [(name: String, value: RowValue)]
    package var id: String
    package var status: String?
    package var traceID: String?
    /// The span the row says the workflow is in (`current_span_id`).
    package var spanID: String?

    package init(columns: [(name: String, value: RowValue)], id: String, status: String? = nil, traceID: String? = nil, spanID: String? = nil) {
        self.columns = columns
        self.id = id
        self.status = status
        self.traceID = traceID
        self.spanID = spanID
    }
}

/// An `"AgentTask"` row, likewise.
package struct TaskRow: Sendable {
    package var columns: [(name: String, value: RowValue)]
    package var id: String
    package var workflowID: String?
    package var status: String?
    package var traceID: String?
    package var spanID: String?
    package var parentSpanID: String?

    package init(
        columns: [(name: String, value: RowValue)], id: String, workflowID: String? = nil, status: String? = nil,
        traceID: String? = nil, spanID: String? = nil, parentSpanID: String? = nil
    ) {
        self.columns = columns
        self.id = id
        self.workflowID = workflowID
        self.status = status
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
    }
}

/// The rows that hold one trace id (the reverse direction: from a trace to its rows).
package struct TraceRows: Sendable {
    package var workflows: [WorkflowRow]
    package var tasks: [TaskRow]

    package init(workflows: [WorkflowRow] = [], tasks: [TaskRow] = []) {
        self.workflows = workflows
        self.tasks = tasks
    }
}

/// The application's rows, read-only: how the query layer sees the application's database. The
/// executable wires an implementation (PostgreSQL, `TraceTailAppDatabase`); HTTP handlers and
/// commands never see SQL. Ids are passed in their canonical spelling (`BusinessID.canonical`,
/// `TraceID.canonical`). Any error thrown means the database could not answer: the answers then
/// come from the logs alone and say `"database": "unreachable: <the error's description>"`.
package protocol ApplicationRows: Sendable {
    func workflow(id: String) async throws -> WorkflowRow?
    /// The workflow's tasks, in the database's order of task id.
    func tasks(workflowID: String) async throws -> [TaskRow]
    func task(id: String) async throws -> TaskRow?
    /// The workflow and task rows whose trace id is this one (in any spelling of it).
    func rows(traceID: String) async throws -> TraceRows
}

/// Whether the application's database was asked, and how that went.
package enum DatabaseState: Sendable, Equatable {
    case ok
    /// No `--correlate` URL: the answer comes from the logs alone.
    case notConfigured
    /// The database did not answer (down, slow, refused us); the reason in a few words.
    case unreachable(String)

    /// As answers write it: `ok`, `not configured`, `unreachable: ...`.
    package var text: String {
        switch self {
        case .ok: "ok"
        case .notConfigured: "not configured"
        case .unreachable(let reason): "unreachable: \(reason)"
        }
    }

    /// Runs one read; an error becomes `.unreachable` and the fallback value.
    static func reading<T>(_ rows: (any ApplicationRows)?, fallback: T, _ body: (any ApplicationRows) async throws -> T) async -> (T, DatabaseState) {
        guard let rows else { return (fallback, .notConfigured) }
        do {
            return (try await body(rows), .ok)
        } catch {
            return (fallback, .unreachable("\(error)"))
        }
    }
}
