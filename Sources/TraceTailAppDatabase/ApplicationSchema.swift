/// Where the application keeps its workflows and tasks: table and column names. The defaults fit
/// `"Workflow"(id, status, trace_id, current_span_id, ...)` and `"AgentTask"(task_id, workflow_id,
/// status, trace_id, span_id, parent_span_id, ...)`. Names are quoted as identifiers (a table may
/// be `schema.table`); values only ever travel as bind parameters.
package struct ApplicationSchema: Sendable, Equatable {
    package var workflowTable = "Workflow"
    package var workflowID = "id"
    package var workflowStatus = "status"
    package var workflowTrace = "trace_id"
    package var workflowSpan = "current_span_id"
    package var taskTable = "AgentTask"
    package var taskID = "task_id"
    package var taskWorkflow = "workflow_id"
    package var taskStatus = "status"
    package var taskTrace = "trace_id"
    package var taskSpan = "span_id"
    package var taskParentSpan = "parent_span_id"

    package init() {}

    /// `"name"`, with `"` doubled; `schema.table` becomes `"schema"."table"`.
    static func quoted(_ name: String, qualified: Bool = false) -> String {
        let parts = qualified ? name.split(separator: ".", omittingEmptySubsequences: false).map(String.init) : [name]
        return parts.map { "\"" + $0.replacingQuotes() + "\"" }.joined(separator: ".")
    }

    /// Rows whose column equals `$1`: as text, lower-cased when the id is a UUID (so that a `uuid`
    /// column, or one holding upper-case text, matches the canonical spelling).
    func select(_ table: String, where column: String, caseInsensitive: Bool, orderBy: String? = nil, limit: Int) -> String {
        let left = caseInsensitive ? "lower(\(Self.quoted(column))::text)" : "\(Self.quoted(column))::text"
        let order = orderBy.map { " ORDER BY \(Self.quoted($0))" } ?? ""
        return "SELECT * FROM \(Self.quoted(table, qualified: true)) WHERE \(left) = $1\(order) LIMIT \(limit)"
    }

    /// Rows whose trace column holds `$1` in any spelling: 32 hex characters, with or without
    /// dashes, in any case (an opaque trace id is compared as written).
    func selectByTrace(_ table: String, column: String, hex: Bool, limit: Int) -> String {
        let left = hex ? "replace(lower(\(Self.quoted(column))::text), '-', '')" : "\(Self.quoted(column))::text"
        return "SELECT * FROM \(Self.quoted(table, qualified: true)) WHERE \(left) = $1 LIMIT \(limit)"
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var out = ""
        for character in self {
            out.append(character)
            if character == "\"" { out.append("\"") }
        }
        return out
    }
}
