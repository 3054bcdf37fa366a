import TraceTailCore

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

    /// How a column is compared, by its type in the application's database, so that a lookup
    /// uses the column's index: a `uuid` column is compared as a uuid, a text column with the
    /// spellings an id may be stored in, anything else as text (which cannot use an index).
    enum ColumnKind: Sendable {
        case uuid
        case text
        case other

        /// From `pg_type`: its name and category (`S`: text, varchar, char, citext ...).
        init(typeName: String?, category: String?) {
            if typeName == "uuid" { self = .uuid } else if category == "S" { self = .text } else { self = .other }
        }
    }

    /// Rows of `table` whose `column` holds an id.
    struct Lookup: Sendable {
        var table: String
        var column: String
        /// The id as asked for.
        var text: String
        /// Its 128 bits when it is a UUID or 32 hex characters: then it matches in any of their
        /// spellings. Nil for an opaque id, which matches as written.
        var bits: (high: UInt64, low: UInt64)?
        var orderBy: String?
        var limit: Int
    }

    /// The column's type: `$1` the table (quoted, maybe qualified), `$2` the column.
    static let columnTypeQuery = """
        SELECT t.typname::text, t.typcategory::text FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped
        """

    /// The `SELECT` and its bind values for a lookup on a column of this kind; nil when no row can
    /// match (a name that is not a UUID, asked of a `uuid` column).
    ///
    /// A text column is matched with the spellings a UUID or hex id is written in (lower or upper
    /// case, with or without dashes) and the id as asked for; an id stored in mixed case is not
    /// found, since finding it would read the whole table.
    func statement(_ lookup: Lookup, kind: ColumnKind) -> (sql: String, values: [String])? {
        let column = Self.quoted(lookup.column)
        let condition: String
        var values: [String]
        switch (kind, lookup.bits) {
        case (.uuid, nil):
            return nil
        case (.uuid, let bits?):
            condition = "\(column) = $1::uuid"
            values = [HexID.uuidString(high: bits.high, low: bits.low)]
        case (.text, let bits?), (.other, let bits?):
            let dashed = HexID.uuidString(high: bits.high, low: bits.low)
            let plain = dashed.filter { $0 != "-" }
            values = [dashed, dashed.uppercased(), plain, plain.uppercased()]
            if !values.contains(lookup.text) { values.append(lookup.text) }
            let list = values.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
            condition = kind == .text ? "\(column) IN (\(list))" : "\(column)::text IN (\(list))"
        case (.text, nil):
            condition = "\(column) = $1"
            values = [lookup.text]
        case (.other, nil):
            condition = "\(column)::text = $1"
            values = [lookup.text]
        }
        let order = lookup.orderBy.map { " ORDER BY \(Self.quoted($0))" } ?? ""
        return ("SELECT * FROM \(Self.quoted(lookup.table, qualified: true)) WHERE \(condition)\(order) LIMIT \(lookup.limit)", values)
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
