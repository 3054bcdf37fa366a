#if canImport(Glibc)
import Glibc
#endif
import Logging
import PostgresNIO
import Synchronization
import TraceTailCore
import TraceTailQuery

/// The application's rows from its PostgreSQL, read-only (`ApplicationRows`).
///
/// Each read opens a connection of its own and closes it: answers that correlate are asked for by
/// a person or a CI job, not thousands of times a second, and a connection per read has no state
/// to go stale, so the first read after the database comes back works. Every statement is a
/// `SELECT` with bind parameters, in a session started with `statement_timeout` and
/// `default_transaction_read_only`; connecting is bounded by the same timeout, and the whole read
/// by twice that and a second (a server that stops answering mid-query is cut off by closing the
/// connection).
package struct PostgresApplicationRows: ApplicationRows {
    package let url: ConnectionURL
    package let schema: ApplicationSchema
    package let timeoutMillis: Int64
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let health = Health()
    /// At most this many connections to the application's database at once, however many
    /// requests ask: it is the team's production database, and tracetail a guest there.
    package let maximumConnections: Int
    private let gate: ConnectionGate

    /// The bound on a whole read (connecting, the statement, the rows): by default twice the
    /// timeout and a second, so that the server's own statement timeout is what normally answers.
    package let readBoundMillis: Int64

    package init(
        url: String, schema: ApplicationSchema = ApplicationSchema(), timeoutMillis: Int64 = 5_000, connectTimeoutMillis: Int64? = nil,
        readBoundMillis: Int64? = nil, maximumConnections: Int = 4, logger: Logger
    ) throws {
        self.maximumConnections = max(1, maximumConnections)
        self.gate = ConnectionGate(limit: max(1, maximumConnections))
        self.url = try ConnectionURL(url)
        self.schema = schema
        self.timeoutMillis = timeoutMillis
        self.readBoundMillis = readBoundMillis ?? 2 * timeoutMillis + 1_000
        self.configuration = try self.url.configuration(timeoutMillis: timeoutMillis, connectTimeoutMillis: connectTimeoutMillis ?? timeoutMillis)
        self.logger = logger
    }

    package func workflow(id: String) async throws -> WorkflowRow? {
        let lookup = ApplicationSchema.Lookup(
            table: schema.workflowTable, column: schema.workflowID, text: id, bits: bits(id, .workflow), limit: 1)
        return try await rows(lookup).first.map(workflowRow)
    }

    package func tasks(workflowID: String) async throws -> [TaskRow] {
        let lookup = ApplicationSchema.Lookup(
            table: schema.taskTable, column: schema.taskWorkflow, text: workflowID, bits: bits(workflowID, .workflow),
            orderBy: schema.taskID, limit: 1_000)
        return try await rows(lookup).map(taskRow)
    }

    package func task(id: String) async throws -> TaskRow? {
        let lookup = ApplicationSchema.Lookup(table: schema.taskTable, column: schema.taskID, text: id, bits: bits(id, .task), limit: 1)
        return try await rows(lookup).first.map(taskRow)
    }

    package func rows(traceID: String) async throws -> TraceRows {
        var bits: (high: UInt64, low: UInt64)?
        if let id = TraceID(traceID), case .bits = id { bits = (id.key.high, id.key.low) }
        let workflows = try await rows(ApplicationSchema.Lookup(
            table: schema.workflowTable, column: schema.workflowTrace, text: traceID, bits: bits, limit: 100))
        let tasks = try await rows(ApplicationSchema.Lookup(
            table: schema.taskTable, column: schema.taskTrace, text: traceID, bits: bits, limit: 1_000))
        return TraceRows(workflows: workflows.map(workflowRow), tasks: tasks.map(taskRow))
    }

    /// The id's 128 bits when it is a UUID (or 32 hex characters); nil for an opaque id.
    private func bits(_ id: String, _ kind: BusinessID.Kind) -> (high: UInt64, low: UInt64)? {
        guard let key = BusinessID(kind, id)?.key, !key.kind.isOpaque else { return nil }
        return (key.high, key.low)
    }

    // MARK: Rows to values

    private typealias Columns = [(name: String, value: RowValue)]

    private func value(_ columns: Columns, _ name: String) -> String? {
        columns.first { $0.name == name }?.value.text
    }

    private func workflowRow(_ columns: Columns) -> WorkflowRow {
        WorkflowRow(
            columns: columns, id: value(columns, schema.workflowID) ?? "", status: value(columns, schema.workflowStatus),
            traceID: value(columns, schema.workflowTrace), spanID: value(columns, schema.workflowSpan))
    }

    private func taskRow(_ columns: Columns) -> TaskRow {
        TaskRow(
            columns: columns, id: value(columns, schema.taskID) ?? "", workflowID: value(columns, schema.taskWorkflow),
            status: value(columns, schema.taskStatus), traceID: value(columns, schema.taskTrace),
            spanID: value(columns, schema.taskSpan), parentSpanID: value(columns, schema.taskParentSpan))
    }

    // MARK: Reading

    /// Reads the rows of a lookup on a connection of its own, within the timeout: first the
    /// column's type (so that the `SELECT` can use the column's index), then the rows.
    private func rows(_ lookup: ApplicationSchema.Lookup) async throws -> [Columns] {
        let schema = schema
        let logger = logger
        let health = health
        let admission = health.admit()
        if case .fail(let reason) = admission { throw AppDatabaseError(reason + " (tried again within a second)", cause: .refusedHere) }
        let rows: [Columns]
        do {
            rows = try await gate.withPermit {
                // Waited for its permit while another read found the server away: fail at once
                // too (the probe goes on: it is the one to try).
                if admission != .probe, let reason = health.knownDown {
                    throw AppDatabaseError(reason + " (tried again within a second)", cause: .refusedHere)
                }
                return try await withTimeout { connection -> [Columns] in
                    var typeBinds = PostgresBindings(capacity: 2)
                    typeBinds.append(ApplicationSchema.quoted(lookup.table, qualified: true))
                    typeBinds.append(lookup.column)
                    var kind = ApplicationSchema.ColumnKind.other
                    let types = try await connection.query(PostgresQuery(unsafeSQL: ApplicationSchema.columnTypeQuery, binds: typeBinds), logger: logger)
                    for try await (name, category) in types.decode((String?, String?).self) {
                        kind = ApplicationSchema.ColumnKind(typeName: name, category: category)
                    }
                    guard let (sql, values) = schema.statement(lookup, kind: kind) else { return [] }
                    var binds = PostgresBindings(capacity: values.count)
                    for value in values { binds.append(value) }
                    var rows: [Columns] = []
                    for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
                        rows.append(row.map { (name: $0.columnName, value: Self.value(of: $0)) })
                    }
                    return rows
                }
            }
            if health.recovered() { logger.notice("application database answers again", metadata: ["url": "\(url)"]) }
        } catch let error as AppDatabaseError where error.cause == .refusedHere {
            // Refused here, not by the server: says nothing of it.
            if admission == .probe { health.releaseProbe() }
            throw error
        } catch {
            let reason = explain(error)
            if health.failed() { logger.warning("application database unreachable", metadata: ["url": "\(url)", "error": "\(reason)"]) }
            // Not reached (no connection, or no answer in time), as opposed to an answer of the
            // server's (a missing table, a statement timeout): later reads fail at once for a while.
            let unreached = (error as? AppDatabaseError).map { $0.cause == .unreached } ?? ((error as? PSQLError)?.code != .server)
            if unreached {
                health.unreachable(reason, for: 1_000)
            } else {
                health.reached()
            }
            throw AppDatabaseError(reason)
        }
        // The server answered: a column it lacks is a setting's or a schema's matter, not an
        // outage (outside the catch above, which would log it as one at every read).
        try checkColumns(rows.first, table: lookup.table)
        return rows
    }

    /// Every configured column of `table` is in its rows: a column the table does not have read
    /// as NULL, and the answer blamed the application (`task_trace_missing`, `trace_mismatch`)
    /// for an older schema or a misspelt setting.
    private func checkColumns(_ row: Columns?, table: String) throws {
        guard let row else { return }
        let expected = table == schema.workflowTable
            ? [schema.workflowID, schema.workflowStatus, schema.workflowTrace, schema.workflowSpan]
            : [schema.taskID, schema.taskWorkflow, schema.taskStatus, schema.taskTrace, schema.taskSpan, schema.taskParentSpan]
        let names = Set(row.map(\.name))
        if let missing = expected.first(where: { !names.contains($0) }) {
            throw AppDatabaseError("\(table) has no column \(missing) (the correlate.* settings name the columns: tracetail config lists them)")
        }
    }

    private func withTimeout<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let holder = ConnectionHolder()
        let configuration = configuration
        let logger = logger
        let timeout = readBoundMillis
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: ConnectionHolder.nextID(), logger: logger)
                guard holder.hold(connection) else {
                    try? await connection.close()
                    throw AppDatabaseError("timed out", cause: .unreached)
                }
                do {
                    let result = try await body(connection)
                    try? await connection.close()
                    return result
                } catch {
                    try? await connection.close()
                    throw error
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(timeout))
                return nil
            }
            defer { group.cancelAll() }
            if let first = try await group.next(), let result = first {
                return result
            }
            // The timeout came first: close the connection under a read that hangs, so that the
            // read's task ends too.
            holder.abandon()
            throw AppDatabaseError("no answer within \(timeout) ms", cause: .unreached)
        }
    }

    /// The error in a few words: the server's message and SQLSTATE, or why no connection was made.
    private func explain(_ error: any Error) -> String {
        if let error = error as? AppDatabaseError { return error.description }
        // Anything but PostgreSQL's own errors comes from making the connection (refused, no
        // route, name not found, connect timeout).
        guard let error = error as? PSQLError else { return "cannot connect to \(url.description): \(Self.connectionReason(error))" }
        switch error.code {
        case .server:
            let message = error.serverInfo?[.message] ?? "server error"
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        case .serverClosedConnection where error.underlying == nil:
            return "cannot connect to \(url.description): the connection closed before an answer (no route, or nothing answered within correlate.timeout)"
        case .connectionError:
            return "cannot connect to \(url.description): \(error.underlying.map(Self.connectionReason) ?? "connection error")"
        default:
            return "\(error.code)\(error.underlying.map { ": \($0)" } ?? "") (\(url.description))"
        }
    }

    /// Why a connection was not made, in the system's words (`connection refused`), rather than
    /// NIO's nested description of every attempt.
    static func connectionReason(_ error: any Error) -> String {
        var error = error
        if let failed = error as? NIOConnectionError,
           let first = failed.connectionErrors.first?.error ?? failed.dnsAError ?? failed.dnsAAAAError {
            error = first
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if case ChannelError.connectTimeout(let amount) = error { return "connect timed out after \(amount.nanoseconds / 1_000_000) ms" }
        return "\(error)"
    }

    /// A cell as a JSON-ish value: booleans, integers and floats as numbers, times in RFC 3339,
    /// uuids in lower case, text-like types (and enums, which arrive as their label) as text.
    static func value(of cell: PostgresCell) -> RowValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .bool: return (try? cell.decode(Bool.self)).map(RowValue.bool) ?? .null
        case .int2, .int4, .int8: return (try? cell.decode(Int64.self)).map(RowValue.integer) ?? .null
        case .float4, .float8: return (try? cell.decode(Double.self)).map(RowValue.number) ?? .null
        case .uuid: return (try? cell.decode(String.self)).map { .text($0.lowercased()) } ?? .null
        case .timestamp, .timestamptz:
            // Microseconds since 2000-01-01 00:00:00 UTC.
            guard cell.format == .binary, let micros = bytes.readInteger(as: Int64.self) else { break }
            return .text(Timestamp.rfc3339(micros / 1_000 + 946_684_800_000))
        case .date:
            guard cell.format == .binary, let days = bytes.readInteger(as: Int32.self) else { break }
            return .text(String(Timestamp.rfc3339(Int64(days) * 86_400_000 + 946_684_800_000).prefix(10)))
        case .text, .varchar, .bpchar, .name, .json, .jsonb:
            return (try? cell.decode(String.self)).map(RowValue.text) ?? .null
        default:
            // User-defined types (enums, as Prisma makes them) arrive as their label's text.
            if cell.dataType.rawValue >= 16_384, let text = bytes.readString(length: bytes.readableBytes) { return .text(text) }
        }
        return .text("(\(cell.dataType))")
    }
}
