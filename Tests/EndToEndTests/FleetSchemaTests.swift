import Foundation
import Logging
import Testing
import TraceTailPostgres

/// The fleet schema's upgrades on the tests' real PostgreSQL: a database of an older version,
/// with data in it, migrated to this build's.
@Suite("Fleet schema upgrades", .serialized)
struct FleetSchemaTests {
    @Test("version 2 to 3: postings regrouped into one key array per block, day partitions kept, the old table gone")
    func postingsRegrouped() async throws {
        let cluster = try await PostgresCluster.shared()
        let database = try await offThread { try cluster.createDatabase(prefix: "fleet") }
        let fleet = try FleetDatabase(url: cluster.url(database: database), logger: Logger(label: "test"))
        defer { fleet.close() }
        #expect(try await FleetSchema.migrate(fleet, to: 2) == [1, 2])
        let sql = { (text: String) in try await offThread { try cluster.psql(text, database: database) } }
        // Two days of version 2 postings, as a shipper of that version wrote them.
        for day in [20_000, 20_001] {
            _ = try await sql("""
                CREATE TABLE tracetail_postings_d\(day) PARTITION OF tracetail_postings FOR VALUES FROM (\(day)) TO (\(day + 1));
                INSERT INTO tracetail_days (day) VALUES (\(day));
                INSERT INTO tracetail_postings (key, day, host_id, part, block)
                VALUES (8, \(day), 1, 5, 1), (-7, \(day), 1, 5, 1), (8, \(day), 1, 5, 2), (9, \(day), 2, 5, 1);
                """)
        }
        #expect(try await FleetSchema.migrate(fleet) == Array(3...FleetSchema.version))
        #expect(try await sql("""
            SELECT string_agg(concat_ws(':', day, host_id, part, block, array_to_string(keys, '+')), ',' ORDER BY day, host_id, block)
            FROM tracetail_postings
            """) == "20000:1:5:1:-7+8,20000:1:5:2:8,20000:2:5:1:9,20001:1:5:1:-7+8,20001:1:5:2:8,20001:2:5:1:9")
        #expect(try await sql("""
            SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'tracetail_postings'::regclass
            """) == "tracetail_postings_d20000,tracetail_postings_d20001")
        #expect(try await sql("SELECT to_regclass('tracetail_postings_v2') IS NULL AND to_regclass('tracetail_traces_last') IS NULL") == "t")
        // Found through the GIN index's operator, as the query node looks.
        #expect(try await sql("SELECT count(*) FROM tracetail_postings WHERE keys @> ARRAY[8::int8]") == "4")
    }
}
