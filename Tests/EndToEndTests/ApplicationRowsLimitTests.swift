import Foundation
import Logging
import Testing
import TraceTailAppDatabase

/// The application's database is the team's production database: however many requests ask at
/// once, tracetail holds at most `maximumConnections` connections to it.
@Suite("Application database: connections at once")
struct ApplicationRowsLimitTests {
    @Test("eight reads at once on a slow table hold at most two connections, and all eight answer")
    func boundedConnections() async throws {
        let cluster = try await PostgresCluster.shared()
        let database = try cluster.createDatabase(prefix: "gate")
        // Each read of the table takes 0.3 s on the server (a view over pg_sleep).
        try cluster.psql("""
            CREATE TABLE workflow_rows (id text, name text, status text, trace_id text, current_span_id text);
            INSERT INTO workflow_rows VALUES ('wf-1', 'one', 'completed', NULL, NULL);
            CREATE VIEW "Workflow" AS SELECT w.* FROM workflow_rows w, pg_sleep(0.3);
            """, database: database)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let rows = try PostgresApplicationRows(
            url: cluster.url(database: database), timeoutMillis: 20_000, maximumConnections: 2, logger: logger)

        // The server's own count of sessions on this database, sampled while the reads run.
        let sampling = Task.detached { () -> Int in
            var most = 0
            while !Task.isCancelled {
                let count = Int((try? cluster.psql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()")) ?? "0") ?? 0
                most = max(most, count)
                try? await Task.sleep(for: .milliseconds(50))
            }
            return most
        }
        let answers = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { try await rows.workflow(id: "wf-1")?.id } }
            var answers: [String?] = []
            for try await answer in group { answers.append(answer) }
            return answers
        }
        sampling.cancel()
        let most = await sampling.value
        #expect(answers == Array(repeating: "wf-1", count: 8))
        #expect(most >= 1, "the sampler saw the reads")
        #expect(most <= 2, "at most two connections at once, saw \(most)")
    }
}
