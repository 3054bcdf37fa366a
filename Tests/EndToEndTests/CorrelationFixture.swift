import Foundation
import Logging
import TraceTailAppDatabase
import TraceTailCore
import TraceTailQuery
import TraceTailStore

/// Workflows whose rows (in a real PostgreSQL, `samples/db/schema.sql`) and logs (a PM2 directory
/// of pino lines, ingested by the real tailer) disagree in one way each, and one where everything
/// agrees. Made once per test process; the rows are read through a role that may only SELECT.
struct CorrelationFixture: Sendable {
    /// One workflow: its ids, and which finding it was made to produce.
    struct Scenario: Sendable {
        var number: Int
        var kind: Finding.Kind?
        var workflow: String { String(format: "00000000-0000-4000-8000-0000000000%02d", number) }
        var trace: String { String(format: "4bf92f3577b34da6a3ce929d0e0e47%02x", number) }
        /// The trace as the rows write it: a UUID with dashes (the logs write 32 hex characters).
        var dashedTrace: String { HexID.uuidString(high: HexID.parse128(Array(trace.utf8)[...])!.0, low: HexID.parse128(Array(trace.utf8)[...])!.1) }
        var callerSpan: String { String(format: "c0ffee00000000%02x", number) }
        var apiSpan: String { String(format: "a0000000000000%02x", number) }
        var orchestratorSpan: String { String(format: "b0000000000000%02x", number) }
        var taskSpan: String { String(format: "d0000000000000%02x", number) }
        var taskChildSpan: String { String(format: "e0000000000000%02x", number) }
        var task: String { "t-\(number)00" }
    }

    static let clean = Scenario(number: 0, kind: nil)
    static let scenarios: [Finding.Kind: Scenario] = [
        .taskTraceMissing: Scenario(number: 1, kind: .taskTraceMissing),
        .traceMismatch: Scenario(number: 2, kind: .traceMismatch),
        .customTraceIgnored: Scenario(number: 3, kind: .customTraceIgnored),
        .noLogs: Scenario(number: 4, kind: .noLogs),
        .parentMismatch: Scenario(number: 5, kind: .parentMismatch),
        .contextLost: Scenario(number: 6, kind: .contextLost),
        .statusMismatch: Scenario(number: 7, kind: .statusMismatch),
    ]
    /// The trace id scenario 2's row stores (no record carries it) and scenario 3's caller sent.
    static let strayTrace = "0af7651916cd43dd8448eb211c80319c"
    static let strayTraceDashed = "0af76519-16cd-43dd-8448-eb211c80319c"
    /// A span no record carries (scenario 4's current_span_id, scenario 5's parent_span_id).
    static let straySpan = "5a5a5a5a5a5a5a5a"
    /// Scenario 4's second task: a row, no records.
    static let silentTask = "t-401"

    let root: String
    let store: SQLiteLogStore
    let cluster: PostgresCluster
    let database: String
    /// A role with SELECT on the two tables and nothing else.
    let readonlyRole: String

    var url: String { cluster.url(database: database, user: readonlyRole) }

    /// Generous timeouts: the tests share two cores with whole test runs, and a database that is
    /// merely slow to answer must not read as one that is away.
    func rows(timeoutMillis: Int64 = 60_000, readBoundMillis: Int64? = nil, schema: ApplicationSchema = ApplicationSchema()) throws -> PostgresApplicationRows {
        try PostgresApplicationRows(
            url: url, schema: schema, timeoutMillis: timeoutMillis, connectTimeoutMillis: 60_000, readBoundMillis: readBoundMillis,
            logger: Logger(label: "test"))
    }

    func reader(timeoutMillis: Int64 = 60_000) throws -> CorrelationReader {
        CorrelationReader(store: store, rows: try rows(timeoutMillis: timeoutMillis))
    }

    static func shared() async throws -> CorrelationFixture {
        try await Shared.instance.get()
    }

    /// Made once, whoever asks first; those who ask meanwhile wait for the same one (the actor is
    /// reentrant across the await, so the task, not its result, is what is kept).
    private actor Shared {
        static let instance = Shared()
        private var making: Task<CorrelationFixture, any Error>?

        func get() async throws -> CorrelationFixture {
            if let making { return try await making.value }
            let task = Task { try await CorrelationFixture.make() }
            making = task
            return try await task.value
        }
    }

    // MARK: Making it

    static let base = Timestamp.parse("2026-07-02T10:00:00Z")!

    static func line(_ app: String, _ time: Int64, level: Int = 30, _ fields: [(String, String)], _ message: String, extra: String = "") -> String {
        let body = fields.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",")
        return "{\"level\":\(level),\"time\":\(time),\"pid\":1,\"hostname\":\"worker-1\",\"name\":\"\(app)\"\(extra),\(body),\"msg\":\"\(message)\"}"
    }

    /// Each scenario's log lines, per file.
    static func logs() -> [String: [String]] {
        var files: [String: [String]] = [:]
        for scenario in [clean] + scenarios.values.sorted(by: { $0.number < $1.number }) {
            let s = scenario
            let t = base + Int64(s.number) * 10_000
            var headers = "\"traceparent\":\"00-\(s.trace)-\(s.callerSpan)-01\""
            if s.kind == .customTraceIgnored { headers = "\"x-trace-id\":\"\(strayTraceDashed)\"," + headers }
            files["api-out.log", default: []].append(line(
                "api", t, [("traceId", s.trace), ("spanId", s.apiSpan)], "request received",
                extra: ",\"req\":{\"method\":\"POST\",\"url\":\"/api/v1/workflows\",\"headers\":{\(headers)}}"))
            files["orchestrator-out.log", default: []] += [
                line("orchestrator", t + 10, [("trace_id", s.trace), ("span_id", s.orchestratorSpan), ("parent_span_id", s.apiSpan), ("workflow_id", s.workflow)], "Workflow created"),
                // The task is created in a span of its own (the row's span_id), a child of the
                // workflow's; the agent works in a child of that one.
                line("orchestrator", t + 20, [("trace_id", s.trace), ("span_id", s.taskSpan), ("parent_span_id", s.orchestratorSpan), ("workflow_id", s.workflow), ("task_id", s.task)], "Task created and published"),
            ]
            files["agent-research-out.log", default: []] += [
                line("agent-research", t + 30, [("trace_id", s.trace), ("span_id", s.taskChildSpan), ("parent_span_id", s.taskSpan), ("workflow_id", s.workflow), ("task_id", s.task)], "Task received"),
                line("agent-research", t + 40, [("trace_id", s.trace), ("span_id", s.taskChildSpan), ("parent_span_id", s.taskSpan), ("task_id", s.task)], "Model response received"),
            ]
            if s.kind == .contextLost {
                files["orchestrator-out.log", default: []] += [
                    line("orchestrator", t + 50, [("workflow_id", s.workflow)], "Collecting results"),
                    line("orchestrator", t + 51, [("workflow_id", s.workflow)], "Results collected"),
                ]
                files["agent-research-out.log", default: []].append(line("agent-research", t + 45, [("task_id", s.task)], "Uploading artifact"))
            }
            files["orchestrator-out.log", default: []].append(line(
                "orchestrator", t + 60, [("trace_id", s.trace), ("span_id", s.orchestratorSpan), ("workflow_id", s.workflow)], "Workflow completed"))
        }
        return files
    }

    /// The rows: every scenario as the clean one, but for what it was made to get wrong.
    static func seed() -> String {
        var sql = ""
        for scenario in [clean] + scenarios.values.sorted(by: { $0.number < $1.number }) {
            let s = scenario
            let trace = s.kind == .traceMismatch ? strayTraceDashed : s.dashedTrace
            let span = s.kind == .noLogs ? straySpan : s.orchestratorSpan
            let status = s.kind == .statusMismatch ? "failed" : "completed"
            sql += """
                INSERT INTO "Workflow" (id, name, status, trace_id, current_span_id, created_at)
                VALUES ('\(s.workflow)', 'scenario \(s.number)', '\(status)', '\(trace)', '\(span)', '2026-07-02 10:00:0\(s.number).250');

                """
            let (taskTrace, taskSpan, taskParent) = s.kind == .taskTraceMissing
                ? ("NULL", "NULL", "NULL")
                : ("'\(s.trace)'", "'\(s.taskSpan)'", "'\(s.kind == .parentMismatch ? straySpan : s.orchestratorSpan)'")
            sql += """
                INSERT INTO "AgentTask" (task_id, workflow_id, agent_type, status, trace_id, span_id, parent_span_id)
                VALUES ('\(s.task)', '\(s.workflow)', 'research', 'completed', \(taskTrace), \(taskSpan), \(taskParent));

                """
            if s.kind == .noLogs {
                sql += """
                    INSERT INTO "AgentTask" (task_id, workflow_id, agent_type, status) VALUES ('\(silentTask)', '\(s.workflow)', 'review', 'queued');

                    """
            }
        }
        return sql
    }

    /// Runs blocking work (psql, pg_ctl, initdb: spawned and waited for) on a thread of its own,
    /// not on the two threads of Swift's cooperative pool, where it would stall every other
    /// suite's server and client meanwhile.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    static func make() async throws -> CorrelationFixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-correlate-\(UUID().uuidString)").path
        let directory = root + "/logs"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, lines) in logs() {
            try (lines.joined(separator: "\n") + "\n").write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        let store = try await SamplesTests.ingest(directory, into: root)
        let cluster = try await PostgresCluster.shared()
        let (database, role) = try await offPool {
            let database = try cluster.createDatabase(prefix: "correlate")
            try cluster.psql(file: SamplesTests.repository.appendingPathComponent("samples/db/schema.sql"), database: database)
            try cluster.psql(seed(), database: database)
            return (database, try readonlyRole(cluster, database: database))
        }
        return CorrelationFixture(root: root, store: store, cluster: cluster, database: database, readonlyRole: role)
    }

    /// A login role that may read the two tables and do nothing else.
    static func readonlyRole(_ cluster: PostgresCluster, database: String) throws -> String {
        let role = "ro_\(database)"
        try cluster.psql("""
            CREATE ROLE \(role) LOGIN;
            REVOKE ALL ON SCHEMA public FROM PUBLIC;
            GRANT USAGE ON SCHEMA public TO \(role);
            GRANT SELECT ON "Workflow", "AgentTask" TO \(role);
            """, database: database)
        return role
    }
}
