import Foundation
import Testing

/// The throwaway cluster the fleet and correlation tests stand on: it starts, and keeps
/// each test's database apart from the others.
@Suite struct PostgresClusterTests {
    @Test func startsAndKeepsDatabasesApart() async throws {
        let cluster = try await PostgresCluster.shared()
        let database = try cluster.createDatabase(prefix: "cluster")
        try cluster.psql("CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2), (3)", database: database)
        #expect(try cluster.psql("SELECT sum(n) FROM t", database: database) == "6")
        #expect(try cluster.psql("SHOW server_version_num").count == 6)

        let other = try cluster.createDatabase(prefix: "cluster")
        #expect(throws: ClusterError.self) { try cluster.psql("SELECT * FROM t", database: other) }
        #expect(cluster.url(database: other) == "postgres://postgres@127.0.0.1:\(cluster.port)/\(other)")
    }
}
