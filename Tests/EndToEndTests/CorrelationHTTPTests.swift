import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TraceTailAppDatabase
import TraceTailCore
import TraceTailHTTP
import TraceTailQuery

/// `GET /workflows/{id}`, `/tasks/{id}` and the rows on `/traces/{id}` over real HTTP on
/// 127.0.0.1, with the database there, not configured, down, slow, refusing us, and coming back.
@Suite("Correlation over HTTP and with the database away", .serialized)
struct CorrelationHTTPTests {
    typealias F = CorrelationFixture

    func withAPI(rows: (any ApplicationRows)?, _ body: @escaping @Sendable (LiveClient) async throws -> Void) async throws {
        let fixture = try await F.shared()
        try await LiveClient.test(
            TraceTailAPI.router(APIDependencies(store: fixture.store, rows: rows)),
            server: TraceTailAPI.server(HTTPServerConfiguration(), logger: Logger(label: "test")).builder
        ) { client in try await body(client) }
    }

    @Test("GET /workflows/{id}: the row's columns, the tasks, the trace and the findings, in the documented keys")
    func workflow() async throws {
        let fixture = try await F.shared()
        let s = F.scenarios[.taskTraceMissing]!
        try await withAPI(rows: try fixture.rows()) { client in
            try await client.execute(uri: "/workflows/\(s.workflow.uppercased())", method: .get) { response in
                #expect(response.status == .ok)
                let body = response.answer
                #expect(Set(body.keys) == ["id", "database", "workflow", "tasks", "trace", "findings"])
                #expect(body["id"] as? String == s.workflow)
                #expect(body["database"] as? String == "ok")
                let row = try #require(body["workflow"] as? [String: Any])
                #expect(row["id"] as? String == s.workflow)
                #expect(row["name"] as? String == "scenario 1")
                #expect(row["status"] as? String == "completed")
                #expect(row["trace_id"] as? String == s.dashedTrace)
                #expect(row["created_at"] as? String == "2026-07-02T10:00:01.250Z")
                let tasks = try #require(body["tasks"] as? [[String: Any]])
                #expect(tasks.count == 1)
                let task = try #require(tasks.first)
                #expect(Set(task.keys) == ["task_id", "row", "records", "errors", "first", "last", "trace_ids", "span_ids"])
                #expect(task["task_id"] as? String == s.task)
                #expect((task["row"] as? [String: Any])?["trace_id"] is NSNull)
                #expect((task["row"] as? [String: Any])?["attempt"] as? Int == 1)
                #expect(task["records"] as? Int == 3)
                #expect(task["trace_ids"] as? [String] == [s.trace])
                #expect(task["span_ids"] as? [String] == [s.taskSpan, s.taskChildSpan])
                let trace = try #require(body["trace"] as? [String: Any])
                #expect(trace["trace_id"] as? String == s.trace)
                #expect(trace["span_count"] as? Int == 4)
                let findings = try #require(body["findings"] as? [[String: Any]])
                #expect(findings.map { $0["kind"] as? String } == ["task_trace_missing"])
                #expect(findings.first?["severity"] as? String == "error")
                #expect(findings.first?["expected_trace_id"] as? String == s.trace)
            }
            try await client.execute(uri: "/workflows/no-such-workflow", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.answer["error"] as? String == "no Workflow row and no records for workflow id 'no-such-workflow'")
            }
            try await client.execute(uri: "/workflows/\(s.workflow)?limit=5", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            // The logs endpoint under the same path is still there.
            try await client.execute(uri: "/workflows/\(s.workflow)/logs", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.answer["count"] as? Int == 4)
            }
        }
    }

    @Test("GET /tasks/{id}: the task row, its workflow's row, its figures and findings")
    func task() async throws {
        let fixture = try await F.shared()
        let s = F.scenarios[.parentMismatch]!
        try await withAPI(rows: try fixture.rows()) { client in
            try await client.execute(uri: "/tasks/\(s.task)", method: .get) { response in
                #expect(response.status == .ok)
                let body = response.answer
                #expect(Set(body.keys) == ["id", "database", "task", "workflow", "records", "errors", "first", "last", "trace_ids", "span_ids", "trace", "findings"])
                #expect((body["task"] as? [String: Any])?["parent_span_id"] as? String == F.straySpan)
                #expect((body["workflow"] as? [String: Any])?["id"] as? String == s.workflow)
                #expect(body["records"] as? Int == 3)
                #expect(body["first"] as? String == "2026-07-02T10:00:50.020Z")
                #expect((body["findings"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["parent_mismatch"])
            }
        }
    }

    @Test("GET /traces/{id} and /traces/{id}/logs name the rows that hold the trace id")
    func reverse() async throws {
        let fixture = try await F.shared()
        let s = F.clean
        try await withAPI(rows: try fixture.rows()) { client in
            for path in ["/traces/\(s.trace)", "/traces/\(s.dashedTrace)/logs"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                    let rows = try #require(response.answer["rows"] as? [String: Any], "\(path)")
                    #expect(rows["database"] as? String == "ok")
                    #expect((rows["workflows"] as? [[String: Any]])?.map { $0["id"] as? String } == [s.workflow])
                    #expect((rows["tasks"] as? [[String: Any]])?.map { $0["task_id"] as? String } == [s.task])
                }
            }
        }
    }

    @Test("without a database: the same answers from the logs alone, saying none was asked")
    func notConfigured() async throws {
        let s = F.scenarios[.contextLost]!
        try await withAPI(rows: nil) { client in
            try await client.execute(uri: "/workflows/\(s.workflow)", method: .get) { response in
                #expect(response.status == .ok)
                let body = response.answer
                #expect(body["database"] as? String == "not configured")
                #expect(body["workflow"] is NSNull)
                let tasks = try #require(body["tasks"] as? [[String: Any]])
                #expect(tasks.map { $0["task_id"] as? String } == [s.task])
                #expect(tasks.first?["row"] is NSNull)
                // What the logs alone show is still found.
                #expect((body["findings"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["context_lost", "context_lost"])
            }
            try await client.execute(uri: "/tasks/\(s.task)", method: .get) { response in
                #expect(response.answer["database"] as? String == "not configured")
                #expect(response.answer["task"] is NSNull)
                #expect((response.answer["workflow"]) is NSNull)
            }
            try await client.execute(uri: "/traces/\(s.trace)", method: .get) { response in
                #expect((response.answer["rows"] as? [String: Any])?["database"] as? String == "not configured")
            }
            try await client.execute(uri: "/workflows/no-such-workflow", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.answer["error"] as? String == "no records for workflow id 'no-such-workflow'")
            }
        }
    }

    @Test("a database nothing listens for: 200 from the logs, database unreachable")
    func unreachable() async throws {
        let s = F.scenarios[.taskTraceMissing]!
        let rows = try PostgresApplicationRows(url: "postgres://readonly@127.0.0.1:\(try Self.closedPort())/app", timeoutMillis: 2_000, logger: Logger(label: "test"))
        try await withAPI(rows: rows) { client in
            for path in ["/workflows/\(s.workflow)", "/tasks/\(s.task)", "/traces/\(s.trace)"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    let database = (response.answer["database"] ?? (response.answer["rows"] as? [String: Any])?["database"]) as? String
                    #expect(database?.hasPrefix("unreachable: cannot connect to postgres://readonly@127.0.0.1:") == true, "\(path): \(database ?? "nil")")
                }
            }
            try await client.execute(uri: "/workflows/\(s.workflow)", method: .get) { response in
                #expect(response.answer["workflow"] is NSNull)
                #expect((response.answer["tasks"] as? [[String: Any]])?.first?["records"] as? Int == 3)
            }
        }
        // After a failure to connect, reads fail at once for a while instead of each waiting for
        // a connection (found by a review: a server dropping packets held every log answer that
        // waits for the rows, in a queue without a bound).
        // Two reads back to back: the second within the first's second, whatever the machine.
        _ = try? await rows.rows(traceID: s.trace)
        do {
            _ = try await rows.rows(traceID: s.trace)
            Issue.record("a read of a database nothing listens for succeeded")
        } catch {
            #expect("\(error)".hasPrefix("cannot connect to postgres://readonly@127.0.0.1:"), "\(error)")
            #expect("\(error)".hasSuffix("(tried again within a second)"), "\(error)")
        }
    }

    @Test("a database slower than the timeout: cut off by the statement timeout, answered from the logs")
    func slow() async throws {
        let fixture = try await F.shared()
        _ = try await F.offPool { try fixture.cluster.psql("""
            CREATE OR REPLACE VIEW "SlowWorkflow" AS SELECT w.*, pg_sleep(120) IS NULL AS slept FROM "Workflow" w;
            GRANT SELECT ON "SlowWorkflow" TO \(fixture.readonlyRole);
            """, database: fixture.database) }
        var schema = ApplicationSchema()
        schema.workflowTable = "SlowWorkflow"
        // The statement timeout (300 ms) must answer, whatever the load: the bound on the whole
        // read is a minute.
        let rows = try fixture.rows(timeoutMillis: 300, readBoundMillis: 60_000, schema: schema)
        try await withAPI(rows: rows) { client in
            try await client.execute(uri: "/workflows/\(F.clean.workflow)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.answer["database"] as? String == "unreachable: canceling statement due to statement timeout (SQLSTATE 57014)")
                #expect((response.answer["tasks"] as? [[String: Any]])?.count == 1)
            }
        }
    }

    @Test("a table without a configured column: the answer names the column, and blames no application code")
    func missingColumn() async throws {
        // Found by a review: the missing column read as NULL, and the answer reported
        // task_trace_missing (the app does not store the trace context) for an older schema.
        let fixture = try await F.shared()
        _ = try await F.offPool { try fixture.cluster.psql("""
            CREATE OR REPLACE VIEW "OldAgentTask" AS SELECT task_id, workflow_id, status, trace_id, span_id FROM "AgentTask";
            GRANT SELECT ON "OldAgentTask" TO \(fixture.readonlyRole);
            """, database: fixture.database) }
        var schema = ApplicationSchema()
        schema.taskTable = "OldAgentTask"
        let reader = CorrelationReader(store: fixture.store, rows: try fixture.rows(schema: schema))
        let answer = try await reader.task(try RequestedID(kind: .task, text: F.clean.task))
        #expect(answer.database == .unreachable("OldAgentTask has no column parent_span_id (the correlate.* settings name the columns: tracetail config lists them)"))
    }

    @Test("the reading role needs nothing but SELECT; without it the answer says why")
    func readOnlyRole() async throws {
        let fixture = try await F.shared()
        let privileges = try await F.offPool { try fixture.cluster.psql("""
            SELECT has_table_privilege('\(fixture.readonlyRole)', '"Workflow"', 'SELECT'),
                   has_table_privilege('\(fixture.readonlyRole)', '"Workflow"', 'INSERT,UPDATE,DELETE,TRUNCATE'),
                   has_table_privilege('\(fixture.readonlyRole)', '"AgentTask"', 'INSERT,UPDATE,DELETE,TRUNCATE')
            """, database: fixture.database) }
        #expect(privileges == "t|f|f")
        #expect(try await fixture.reader().workflow(RequestedID(kind: .workflow, text: F.clean.workflow)).database == .ok)
        // A role that may see the schema but not read the tables.
        let stranger = "nobody_\(fixture.database)"
        _ = try await F.offPool { try fixture.cluster.psql("CREATE ROLE \(stranger) LOGIN; GRANT USAGE ON SCHEMA public TO \(stranger)", database: fixture.database) }
        let rows = try PostgresApplicationRows(url: fixture.cluster.url(database: fixture.database, user: stranger), timeoutMillis: 60_000, logger: Logger(label: "test"))
        let answer = try await CorrelationReader(store: fixture.store, rows: rows).workflow(RequestedID(kind: .workflow, text: F.clean.workflow))
        #expect(answer.database == .unreachable("permission denied for table Workflow (SQLSTATE 42501)"))
        #expect(answer.tasks.map(\.id) == [F.clean.task])
    }

    @Test("a database that goes away and comes back: unreachable while it is down, ok again after")
    func recovers() async throws {
        let fixture = try await F.shared()
        let cluster = try await F.offPool { try PostgresCluster.makePrivate() }
        defer { cluster.remove() }
        let (database, role) = try await F.offPool {
            let database = try cluster.createDatabase(prefix: "recover")
            try cluster.psql(file: SamplesTests.repository.appendingPathComponent("samples/db/schema.sql"), database: database)
            try cluster.psql(F.seed(), database: database)
            return (database, try F.readonlyRole(cluster, database: database))
        }
        let rows = try PostgresApplicationRows(url: cluster.url(database: database, user: role), timeoutMillis: 60_000, logger: Logger(label: "test"))
        let reader = CorrelationReader(store: fixture.store, rows: rows)
        let id = try RequestedID(kind: .workflow, text: F.clean.workflow)
        #expect(try await reader.workflow(id).database == .ok)
        try await F.offPool { try cluster.stop(mode: "immediate") }
        let down = try await reader.workflow(id)
        guard case .unreachable = down.database else {
            Issue.record("expected unreachable, got \(down.database.text)")
            return
        }
        #expect(down.tasks.first?.logs.records == 3)
        try await F.offPool { try cluster.start() }
        // Within a second or so of its return (reads fail at once for a second after a failure
        // to connect, then one tries).
        var back = try await reader.workflow(id)
        for _ in 0..<40 where back.database != .ok {
            try await Task.sleep(for: .milliseconds(250))
            back = try await reader.workflow(id)
        }
        #expect(back.database == .ok)
        #expect(back.workflow?.id == F.clean.workflow)
    }

    /// A port of 127.0.0.1 nothing listens on: bound, its number read, then closed.
    static func closedPort() throws -> Int { try FreePort.pick() }
}

extension LiveClient.Response {
    /// The body as a JSON object (empty when it is not one).
    fileprivate var answer: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }
}
