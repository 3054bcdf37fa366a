import Foundation
import Logging
import Testing
import TraceTailAppDatabase
import TraceTailCore
import TraceTailQuery

/// samples/db (schema and seed) on a real PostgreSQL with samples/pm2-logs ingested: the README's
/// tour shows the application's two real bugs, and a clean workflow shows none.
@Suite("The sample database")
struct SampleDatabaseTests {
    @Test("the failed workflow's task with NULL trace fields, the ignored x-trace-id, and a clean run")
    func tour() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-sampledb-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try await SamplesTests.ingest(SamplesTests.repository.appendingPathComponent("samples/pm2-logs").path, into: root)
        defer { try? store.close() }
        let cluster = try await PostgresCluster.shared()
        let (database, role) = try await CorrelationFixture.offPool {
            let database = try cluster.createDatabase(prefix: "sampledb")
            for file in ["schema.sql", "seed.sql"] {
                try cluster.psql(file: SamplesTests.repository.appendingPathComponent("samples/db/\(file)"), database: database)
            }
            return (database, try CorrelationFixture.readonlyRole(cluster, database: database))
        }
        let rows = try PostgresApplicationRows(url: cluster.url(database: database, user: role), timeoutMillis: 60_000, logger: Logger(label: "test"))
        let reader = CorrelationReader(store: store, rows: rows)
        #expect(try await CorrelationFixture.offPool { try cluster.psql("SELECT count(*) FROM \"Workflow\"", database: database) } == "66")

        let failed = try await reader.workflow(RequestedID(kind: .workflow, text: "efa38b6b-3fd0-4496-acd9-a8600ebf8334"))
        #expect(failed.database == .ok)
        #expect(failed.tasks.map(\.id) == ["t-1051", "t-1052", "t-1053"])
        let missing = try #require(failed.findings.first { $0.kind == .taskTraceMissing })
        #expect(missing.value("task_id") == .text("t-1053"))
        #expect(missing.value("expected_trace_id") == .text("3ca0b7496380463a9e52a8780c3703e3"))
        #expect(missing.value("expected_span_id") == .text("63691279e01ecc98"))
        #expect(missing.value("expected_parent_span_id") == .text("0c479c61b2eab704"))
        #expect(failed.findings.filter { $0.severity == .error }.count == 1, "\(failed.findings.map(\.message))")

        let ignored = try await reader.workflow(RequestedID(kind: .workflow, text: "40a1c036-e802-4e2c-825d-5d715116ed01"))
        let custom = try #require(ignored.findings.first { $0.kind == .customTraceIgnored })
        #expect(custom.value("incoming_trace_id") == .text("6df6b29143c5cf7d6ed00b0cdd92152d"))
        #expect(custom.value("stored_trace_id") == .text("feb3077813624601ba2a08ff3712ebd3"))

        let clean = try await reader.workflow(RequestedID(kind: .workflow, text: "a33b02b9-0b3f-4285-8301-a735ae364343"))
        #expect(clean.findings.filter { $0.severity == .error }.map(\.message) == [])
    }
}
