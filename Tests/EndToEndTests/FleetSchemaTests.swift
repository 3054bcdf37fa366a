import Foundation
import Logging
import Testing
import TraceTailCore
import TraceTailPostgres

/// The fleet schema's upgrades on the tests' real PostgreSQL: a database of an older version,
/// with data in it, migrated to this build's.
@Suite("Fleet schema upgrades", .serialized)
struct FleetSchemaTests {
    @Test("a summary's posting key computed in SQL (central retention) is the one shippers write")
    func summaryKeyInSQL() async throws {
        let cluster = try await PostgresCluster.shared()
        let database = try await offThread { try cluster.createDatabase(prefix: "keys") }
        var ids = (0..<64).map { _ in UUID().uuidString.lowercased() }
        // The signs of both halves, and all bits set.
        ids += ["ffffffff-ffff-ffff-ffff-ffffffffffff", "80000000-7fff-ffff-0000-000000000001", "7fffffff-8000-0000-0000-000000000001"]
        let array = ids.map { "'\($0)'" }.joined(separator: ",")
        let answer = try await offThread {
            try cluster.psql("""
                SELECT string_agg((\(FleetSchema.summaryKeySQL))::text, ',' ORDER BY s.n)
                FROM unnest(ARRAY[\(array)]::uuid[]) WITH ORDINALITY AS s(trace_id, n)
                """, database: database)
        }
        let expected = try ids.map { String(FleetSchema.postingKey(try #require(TraceID($0)).key)) }.joined(separator: ",")
        #expect(answer.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
    }

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
        #expect(try await FleetSchema.migrate(fleet, to: 3) == [3])
        let postings = """
            SELECT string_agg(concat_ws(':', day, host_id, part, block, array_to_string(keys, '+')), ',' ORDER BY day, host_id, block)
            FROM tracetail_postings
            """
        #expect(try await sql(postings) == "20000:1:5:1:-7+8,20000:1:5:2:8,20000:2:5:1:9,20001:1:5:1:-7+8,20001:1:5:2:8,20001:2:5:1:9")
        #expect(try await sql("SELECT count(*) FROM tracetail_postings WHERE keys @> ARRAY[8::int8]") == "4")
        // Version 4: keys of 32 bits, the halves of each 64-bit value XORed (-7 is 0xFFFFFFFF_FFFFFFF9:
        // 0xFFFFFFF9 ^ 0xFFFFFFFF = 6), as a shipper of this build computes them.
        #expect(try await FleetSchema.migrate(fleet) == Array(4...FleetSchema.version))
        #expect(try await sql(postings) == "20000:1:5:1:6+8,20000:1:5:2:8,20000:2:5:1:9,20001:1:5:1:6+8,20001:1:5:2:8,20001:2:5:1:9")
        #expect(FleetSchema.postingKey(IDKey(kind: .trace, high: UInt64(bitPattern: -7), low: 1)) == 6)
        #expect(FleetSchema.postingKey(IDKey(kind: .trace, high: 0x1234_5678_0000_0001, low: 0)) == 0x1234_5679)
        #expect(try await sql("""
            SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'tracetail_postings'::regclass
            """) == "tracetail_postings_d20000,tracetail_postings_d20001")
        #expect(try await sql("SELECT to_regclass('tracetail_postings_v2') IS NULL AND to_regclass('tracetail_traces_last') IS NULL") == "t")
        // Found through the GIN index's operator, as the query node looks.
        #expect(try await sql("SELECT count(*) FROM tracetail_postings WHERE keys @> ARRAY[8::int4]") == "4")
        #expect(try await sql("SELECT count(*) FROM tracetail_postings WHERE keys @> ARRAY[6::int4]") == "2")
    }

    @Test("version 3 to 4: the trace summaries keep their answers through the tracetail_traces view, and a shipper adds to them")
    func summariesCompacted() async throws {
        let cluster = try await PostgresCluster.shared()
        let database = try await offThread { try cluster.createDatabase(prefix: "fleet") }
        let fleet = try FleetDatabase(url: cluster.url(database: database), logger: Logger(label: "test"))
        defer { fleet.close() }
        #expect(try await FleetSchema.migrate(fleet, to: 3) == [1, 2, 3])
        let sql = { (text: String) in try await offThread { try cluster.psql(text, database: database) } }
        // Version 3 summaries as its shippers wrote them: 'api-1' held by two stores in turn (the
        // first retired), 'api-2', and a name without a host row.
        _ = try await sql("""
            INSERT INTO tracetail_hosts (name, store_id, retired_at, replaced_by) VALUES
                ('api-1', '00000000-0000-4000-8000-000000000001', now(), '00000000-0000-4000-8000-000000000002'),
                ('api-1', '00000000-0000-4000-8000-000000000002', NULL, NULL),
                ('api-2', '00000000-0000-4000-8000-000000000003', NULL, NULL);
            INSERT INTO tracetail_traces (trace_id, host, apps, first_time, last_time, records, errors) VALUES
                ('4bf92f35-77b3-4da6-a3ce-929d0e0e4736', 'api-1', '{agent-b,api,orchestrator}', '2026-07-02 10:00:00.001+00', '2026-07-02 10:00:05.5+00', 31, 2),
                ('4bf92f35-77b3-4da6-a3ce-929d0e0e4736', 'api-2', '{api}', '2026-07-02 10:00:01+00', '2026-07-02 10:00:02+00', 4, 0),
                ('00000000-0000-4000-8000-00000000000a', 'api-2', '{orchestrator,api}', '2026-07-02 11:00:00+00', '2026-07-02 11:00:00+00', 1, 1),
                ('00000000-0000-4000-8000-00000000000b', 'gone-1', '{api}', '2026-07-01 09:00:00+00', '2026-07-01 09:30:00+00', 3000000000, 7);
            CREATE TABLE tracetail_postings_d20636 PARTITION OF tracetail_postings FOR VALUES FROM (20636) TO (20637);
            INSERT INTO tracetail_days (day) VALUES (20636);
            """)
        let dump = """
            SELECT string_agg(concat_ws(':', trace_id, host, array_to_string(apps, '+'), first_time, last_time, records, errors),
                              ',' ORDER BY trace_id, host)
            FROM tracetail_traces
            """
        let before = try await sql(dump)
        #expect(try await FleetSchema.migrate(fleet) == Array(4...FleetSchema.version))
        // The same rows, names and types through the view ('orchestrator,api' now in byte order;
        // counts are 32-bit, held at 2,147,483,647 rather than overflowing).
        #expect(try await sql(dump) == before.replacingOccurrences(of: "orchestrator+api", with: "api+orchestrator")
            .replacingOccurrences(of: ":3000000000:", with: ":2147483647:"))
        #expect(try await sql("""
            SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)
            FROM information_schema.columns WHERE table_name = 'tracetail_traces'
            """) == "trace_id uuid, host text, apps ARRAY, first_time timestamp with time zone, "
                + "last_time timestamp with time zone, records bigint, errors bigint")
        #expect(try await sql("""
            SELECT string_agg(array_to_string(apps, '+'), ',' ORDER BY id) FROM tracetail_app_sets
            """) == "agent-b+api+orchestrator,api,api+orchestrator")
        // The name without a host row got a retired one; api-1's summaries are under its first row.
        #expect(try await sql("SELECT name || ':' || (retired_at IS NOT NULL) || ':' || (store_id IS NULL) FROM tracetail_hosts WHERE id = 4") == "gone-1:true:true")
        #expect(try await sql("SELECT string_agg(DISTINCT host_id::text, ',' ORDER BY host_id::text) FROM tracetail_trace_summaries") == "1,3,4")

        // The day's postings index takes keys without a pending list.
        #expect(try await sql("""
            SELECT array_to_string(c.reloptions, ',') FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = 'tracetail_postings_d20636'::regclass
            """) == "fastupdate=off")

        // A shipper of this version adds to an upgraded row: a store taking 'api-2' over (a row of
        // its own) ships ten records of a trace api-2 summed before, from the app 'api'.
        _ = try await sql("""
            INSERT INTO tracetail_trace_summaries (trace_id, host_id, app_set, records, errors, first_time, last_time)
            VALUES ('00000001-fa7f-4afe-98c4-10a65672cfc2', 3, tracetail_app_set('{orchestrator}'), 5, 1,
                    '2026-07-02 09:00:00+00', '2026-07-02 09:00:01+00')
            """)
        let taker = try await FleetShippingTests.Setup.make(
            host: "api-2", cluster: cluster, database: database, replaceStore: "00000000-0000-4000-8000-000000000003")
        defer { taker.close() }
        try await taker.append(0..<10, storedAt: WallClockForTests.now)
        try await taker.shipAll()
        #expect(try await sql("""
            SELECT concat_ws(':', host, array_to_string(apps, '+'), first_time, last_time, records, errors) FROM tracetail_traces
            WHERE trace_id = '00000001-fa7f-4afe-98c4-10a65672cfc2'
            """) == "api-2:api+orchestrator:2026-07-02 09:00:00+00:2026-07-02 10:00:00.009+00:15:3")
        #expect(try await sql("SELECT tracetail_app_set('{orchestrator,api,api}')") == "3")
    }
}
