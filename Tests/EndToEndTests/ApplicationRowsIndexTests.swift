import Foundation
import Logging
import Testing
import TraceTailAppDatabase

/// The application's tables are big (a row per workflow and per task, for years): its rows are
/// found through the table's indexes, never by reading the whole table. Checked with the server's
/// own counters (`pg_stat_user_tables`: sequential and index scans per table) on the sample schema
/// with 20,000 rows in each table.
@Suite("Application database: lookups use the indexes")
struct ApplicationRowsIndexTests {
    static let workflow = "6f1c2b3a-4f5e-4d6c-8b7a-695847362514"
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"

    @Test("workflow by id, its tasks, a task, and rows by trace id in every spelling: index scans only")
    func indexScans() async throws {
        let cluster = try await PostgresCluster.shared()
        let database = try await offThread { try cluster.createDatabase(prefix: "indexes") }
        try await offThread {
            try cluster.psql(file: SamplesTests.repository.appendingPathComponent("samples/db/schema.sql"), database: database)
            // 20,000 other workflows and tasks; the one looked for stores its trace id in upper
            // case with dashes, its task in lower case without.
            try cluster.psql("""
                INSERT INTO "Workflow" (id, name, status, trace_id)
                SELECT md5(n::text)::uuid, 'filler', 'completed', md5('t' || n) FROM generate_series(1, 20000) n;
                INSERT INTO "AgentTask" (task_id, workflow_id, agent_type, status, trace_id)
                SELECT 'task-' || n, md5(n::text)::uuid, 'filler', 'completed', md5('t' || n) FROM generate_series(1, 20000) n;
                INSERT INTO "Workflow" (id, name, status, trace_id)
                VALUES ('\(Self.workflow)', 'wanted', 'failed', '4BF92F35-77B3-4DA6-A3CE-929D0E0E4736');
                INSERT INTO "AgentTask" (task_id, workflow_id, agent_type, status, trace_id)
                VALUES ('t-wanted', '\(Self.workflow)', 'planner', 'failed', '\(Self.trace)');
                ANALYZE "Workflow"; ANALYZE "AgentTask";
                """, database: database)
        }
        let before = try await scans(cluster, database)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let rows = try PostgresApplicationRows(url: cluster.url(database: database), timeoutMillis: 30_000, logger: logger)

        #expect(try await rows.workflow(id: Self.workflow.uppercased())?.status == "failed")
        #expect(try await rows.workflow(id: Self.workflow.filter { $0 != "-" })?.status == "failed")
        #expect(try await rows.workflow(id: "not-a-uuid") == nil)  // no query: a uuid column cannot hold it
        #expect(try await rows.tasks(workflowID: Self.workflow).map(\.id) == ["t-wanted"])
        #expect(try await rows.task(id: "t-wanted")?.workflowID == Self.workflow)
        for spelling in [Self.trace, Self.trace.uppercased(), "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"] {
            let found = try await rows.rows(traceID: spelling)
            #expect(found.workflows.map(\.id) == [Self.workflow], "\(spelling)")
            #expect(found.tasks.map(\.id) == ["t-wanted"], "\(spelling)")
        }

        // The server counts a session's scans when it ends (each read closes its connection):
        // wait for the index scans to show, then no table was read whole.
        let expected = (workflow: 5, task: 5)
        var after = try await scans(cluster, database)
        let deadline = ContinuousClock.now + .seconds(60)
        while after.workflow.index - before.workflow.index < expected.workflow
            || after.task.index - before.task.index < expected.task, ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(200))
            after = try await scans(cluster, database)
        }
        #expect(after.workflow.index - before.workflow.index >= expected.workflow)
        #expect(after.task.index - before.task.index >= expected.task)
        #expect(after.workflow.sequential == before.workflow.sequential, "no read of the whole Workflow table")
        #expect(after.task.sequential == before.task.sequential, "no read of the whole AgentTask table")
    }

    /// Sequential and index scans of the two tables so far.
    func scans(_ cluster: PostgresCluster, _ database: String) async throws
        -> (workflow: (sequential: Int, index: Int), task: (sequential: Int, index: Int))
    {
        let text = try await offThread {
            try cluster.psql("""
                SELECT relname, seq_scan, coalesce(idx_scan, 0) FROM pg_stat_user_tables
                WHERE relname IN ('Workflow', 'AgentTask') ORDER BY relname
                """, database: database)
        }
        var counts: [String: (sequential: Int, index: Int)] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "|").map(String.init)
            guard fields.count == 3, let sequential = Int(fields[1]), let index = Int(fields[2]) else { continue }
            counts[fields[0]] = (sequential, index)
        }
        let workflow = try #require(counts["Workflow"], "\(text)")
        let task = try #require(counts["AgentTask"], "\(text)")
        return (workflow, task)
    }
}
