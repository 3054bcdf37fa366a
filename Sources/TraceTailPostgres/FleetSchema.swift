import Logging
import PostgresNIO
import TraceTailCore

/// The fleet store's tables, in versioned migrations (`tracetail_schema` records each one applied).
/// The query node (or `tracetail pg init`) applies them; shippers wait until they are there.
///
/// - `tracetail_hosts`: one row per shipping host's local store (`name`, `store_id`), with what it
///   shipped (the central ledger); `retired_at` set once another store took the name over.
/// - `tracetail_files`: the hosts' log files; `id` is the fleet-wide file id answers use.
/// - `tracetail_blocks`: the hosts' compressed blocks as they store them, keyed by
///   `(day, host_id, part, block)`; partitioned by `day` (UTC day of storing on the host), data
///   and filter `STORAGE EXTERNAL` (already compressed: PostgreSQL does not compress them again).
/// - `tracetail_postings`: `(day, host_id, part, block, keys int8[])`, which blocks hold a trace
///   id's first 64 bits (a GIN index on `keys`); one row per shipment of a block; partitioned by
///   `day` like the blocks.
/// - `tracetail_trace_summaries`: one row per 128-bit trace id and host name (`trace_id uuid`,
///   `host_id` the name's first host row), with its set of apps (`tracetail_app_sets`), time
///   range, records and errors; `tracetail_traces` is the view of it by host name and app names,
///   for joins with the application's own tables.
package enum FleetSchema {
    /// The version this build reads and writes.
    package static let version = 5

    static let migrations: [(version: Int, sql: [String])] = [
        (1, [
            """
            CREATE TABLE tracetail_hosts (
                id serial PRIMARY KEY,
                name text NOT NULL UNIQUE,
                blocks bigint NOT NULL DEFAULT 0,
                records bigint NOT NULL DEFAULT 0,
                bytes bigint NOT NULL DEFAULT 0,
                last_shipped_at timestamptz
            )
            """,
            """
            CREATE TABLE tracetail_files (
                id bigserial PRIMARY KEY,
                host_id int NOT NULL REFERENCES tracetail_hosts (id),
                local_id bigint NOT NULL,
                path text NOT NULL,
                app text NOT NULL,
                stream text NOT NULL,
                instance int,
                UNIQUE (host_id, local_id)
            )
            """,
            """
            CREATE TABLE tracetail_days (
                day int PRIMARY KEY,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE tracetail_blocks (
                day int NOT NULL,
                host_id int NOT NULL,
                part bigint NOT NULL,
                block bigint NOT NULL,
                file_id bigint NOT NULL,
                first_offset bigint NOT NULL,
                end_offset bigint NOT NULL,
                min_time bigint NOT NULL,
                max_time bigint NOT NULL,
                records int NOT NULL,
                raw_bytes int NOT NULL,
                payload_bytes int NOT NULL,
                filter bytea NOT NULL,
                data bytea NOT NULL,
                PRIMARY KEY (day, host_id, part, block)
            ) PARTITION BY RANGE (day)
            """,
            "ALTER TABLE tracetail_blocks ALTER COLUMN data SET STORAGE EXTERNAL, ALTER COLUMN filter SET STORAGE EXTERNAL",
            """
            CREATE TABLE tracetail_postings (
                key bigint NOT NULL,
                day int NOT NULL,
                host_id int NOT NULL,
                part bigint NOT NULL,
                block bigint NOT NULL,
                PRIMARY KEY (key, day, host_id, part, block)
            ) PARTITION BY RANGE (day)
            """,
            """
            CREATE TABLE tracetail_traces (
                trace_id uuid NOT NULL,
                host text NOT NULL,
                apps text[] NOT NULL,
                first_time timestamptz NOT NULL,
                last_time timestamptz NOT NULL,
                records bigint NOT NULL,
                errors bigint NOT NULL,
                PRIMARY KEY (trace_id, host)
            )
            """,
            "CREATE INDEX tracetail_traces_last ON tracetail_traces (last_time DESC)",
        ]),
        // Hosts are known by (name, store id), not by name alone (`HostRegistration`): a name is
        // held by one local store at a time; a store that replaced another under its name leaves
        // the old one's row (and blocks) in place, retired. Rows from version 1 have no store id
        // until their store ships again.
        (2, [
            "ALTER TABLE tracetail_hosts ADD COLUMN store_id uuid UNIQUE, ADD COLUMN retired_at timestamptz, ADD COLUMN replaced_by uuid",
            "ALTER TABLE tracetail_hosts DROP CONSTRAINT tracetail_hosts_name_key",
            "CREATE UNIQUE INDEX tracetail_hosts_active_name ON tracetail_hosts (name) WHERE retired_at IS NULL",
        ]),
        // Size (docs/fleet.md, Figures). Postings: one row per shipment of a block with its trace
        // keys as an array under a GIN index (about 10 bytes a key) instead of a btree row per key
        // and block (about 80 with the row's own index entry); appended, never updated. Trace
        // summaries: no index on `last_time` (no query could use it: `/traces` aggregates by
        // trace) and room on each page, so that their upserts are HOT updates, pruned in place.
        // The version 2 postings are regrouped into the new table, day by day.
        (3, [
            "DROP INDEX tracetail_traces_last",
            "ALTER TABLE tracetail_traces SET (fillfactor = 75)",
            "ALTER TABLE tracetail_postings RENAME TO tracetail_postings_v2",
            """
            DO $$ DECLARE d int; BEGIN
                FOR d IN SELECT day FROM tracetail_days LOOP
                    EXECUTE format('ALTER TABLE IF EXISTS tracetail_postings_d%s RENAME TO tracetail_postings_v2_d%s', d, d);
                END LOOP;
            END $$
            """,
            """
            CREATE TABLE tracetail_postings (
                day int NOT NULL,
                host_id int NOT NULL,
                part bigint NOT NULL,
                block bigint NOT NULL,
                keys int8[] NOT NULL
            ) PARTITION BY RANGE (day)
            """,
            "CREATE INDEX tracetail_postings_keys ON tracetail_postings USING gin (keys)",
            """
            DO $$ DECLARE d int; BEGIN
                FOR d IN SELECT day FROM tracetail_days LOOP
                    EXECUTE format('CREATE TABLE tracetail_postings_d%s PARTITION OF tracetail_postings FOR VALUES FROM (%s) TO (%s)', d, d, d + 1);
                END LOOP;
            END $$
            """,
            """
            INSERT INTO tracetail_postings (day, host_id, part, block, keys)
            SELECT day, host_id, part, block, array_agg(key ORDER BY key) FROM tracetail_postings_v2 GROUP BY day, host_id, part, block
            """,
            "DROP TABLE tracetail_postings_v2",
        ]),
        // Size (docs/fleet.md, Figures): the trace summaries, a row per trace and host, were the
        // largest part after the blocks. A row now holds ids and fixed-width values only, 48 bytes
        // (it held the host name and the apps as a text array of about 60 bytes): the host as
        // the id of the name's first host row (one row per trace and name, as before, also after
        // a store took the name over), the apps as the id of their set in `tracetail_app_sets`
        // (a few dozen sets in a fleet). The counts are int4, held at 2,147,483,647 by the shipper's
        // upsert (`least`): one trace id that never changes (an app sending a fixed traceparent)
        // could pass that within weeks, and overflowing would stop its host's shipping. `fillfactor` 85 (was 75): a row is updated
        // about three times while its trace goes on (10 million records: 940,000 updates of
        // 334,000 rows), and the room left on each page keeps most of those updates HOT (89 %
        // at 85 with the smaller rows; 86 % at 75 with the old ones); full pages would make
        // them dead versions with index entries. `tracetail_traces` is now a view with the old
        // columns and types, so the documented joins by name keep working.
        // Postings: the GIN indexes without their pending list (`fastupdate` off, set on every
        // day's index, `ensureDay` does it for new days): keys go into the index as they are
        // inserted, which made it a sixth smaller than one filled by merging pending lists (10
        // million records: 20.5 MB against 24.9), and a lookup no longer scans the pending list.
        (4, [
            """
            CREATE TABLE tracetail_app_sets (
                id serial PRIMARY KEY,
                apps text[] NOT NULL UNIQUE
            )
            """,
            // A set's spelling: distinct names in byte order, so that one set has one row
            // whoever makes it.
            """
            CREATE FUNCTION tracetail_app_names(names text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
                SELECT ARRAY(SELECT n FROM unnest(names) AS n GROUP BY n ORDER BY n COLLATE "C")
            $$
            """,
            // The id of a set of apps, added when new. Adding takes an advisory lock held to the
            // end of the shipper's transaction: a set added and not yet committed makes another
            // shipper adding it wait, and two shippers each waiting for the other's new set would
            // deadlock; under the lock only one transaction at a time has new sets.
            """
            CREATE FUNCTION tracetail_app_set(names text[]) RETURNS int LANGUAGE plpgsql AS $$
            DECLARE
                canonical text[] := tracetail_app_names(names);
                found int;
            BEGIN
                SELECT id INTO found FROM tracetail_app_sets WHERE apps = canonical;
                IF found IS NULL THEN
                    PERFORM pg_advisory_xact_lock(743304);
                    INSERT INTO tracetail_app_sets (apps) VALUES (canonical) ON CONFLICT (apps) DO NOTHING RETURNING id INTO found;
                    IF found IS NULL THEN
                        SELECT id INTO found FROM tracetail_app_sets WHERE apps = canonical;
                    END IF;
                END IF;
                RETURN found;
            END $$
            """,
            """
            CREATE TABLE tracetail_trace_summaries (
                trace_id uuid NOT NULL,
                host_id int NOT NULL,
                app_set int NOT NULL,
                records int NOT NULL,
                errors int NOT NULL,
                first_time timestamptz NOT NULL,
                last_time timestamptz NOT NULL,
                PRIMARY KEY (trace_id, host_id)
            ) WITH (fillfactor = 85, autovacuum_vacuum_scale_factor = 0.02)
            """,
            // A summary written under a name without a host row (none is, shippers register
            // first) keeps its name: a retired row without a store is made for it.
            """
            INSERT INTO tracetail_hosts (name, retired_at)
            SELECT DISTINCT t.host, now() FROM tracetail_traces t
            WHERE NOT EXISTS (SELECT 1 FROM tracetail_hosts h WHERE h.name = t.host)
            """,
            """
            INSERT INTO tracetail_app_sets (apps)
            SELECT DISTINCT tracetail_app_names(apps) FROM tracetail_traces ORDER BY 1
            """,
            """
            INSERT INTO tracetail_trace_summaries (trace_id, host_id, app_set, records, errors, first_time, last_time)
            SELECT t.trace_id, h.id, a.id, least(t.records, 2147483647)::int, least(t.errors, 2147483647)::int,
                   t.first_time, t.last_time
            FROM tracetail_traces t
            JOIN (SELECT name, min(id) AS id FROM tracetail_hosts GROUP BY name) h ON h.name = t.host
            JOIN tracetail_app_sets a ON a.apps = tracetail_app_names(t.apps)
            """,
            "DROP TABLE tracetail_traces",
            // Posting keys of 32 bits (`FleetSchema.postingKey`): the halves of the 64-bit
            // index value XORed. Two traces may share one; a lookup checks the full id in the
            // block, as it does for the 64-bit values the local index holds.
            """
            CREATE FUNCTION tracetail_posting_keys(keys int8[]) RETURNS int4[] LANGUAGE sql IMMUTABLE AS $$
                SELECT ARRAY(SELECT DISTINCT (((k # (k >> 32)) << 32) >> 32)::int4 FROM unnest(keys) AS k ORDER BY 1)
            $$
            """,
            "ALTER TABLE tracetail_postings ALTER COLUMN keys TYPE int4[] USING tracetail_posting_keys(keys)",
            "DROP FUNCTION tracetail_posting_keys(int8[])",
            postingsWithoutPendingList("SELECT inhrelid FROM pg_inherits WHERE inhparent = 'tracetail_postings'::regclass"),
            """
            CREATE VIEW tracetail_traces AS
            SELECT s.trace_id, h.name AS host, a.apps, s.first_time, s.last_time, s.records::bigint AS records,
                   s.errors::bigint AS errors
            FROM tracetail_trace_summaries s
            JOIN tracetail_hosts h ON h.id = s.host_id
            JOIN tracetail_app_sets a ON a.id = s.app_set
            """,
        ]),
        // Blocks of codec version 4 (`BlockCodec`: the key values outside the deflate stream).
        // Nothing changes in the tables; the version says that a query node of an older build,
        // which would count such blocks as unreadable, must not read this store, and that
        // shippers of this build wait for a query node that reads them.
        (5, [
            """
            COMMENT ON COLUMN tracetail_blocks.data IS
                'BlockCodec stored form: version 4 (0xFE, key values, raw deflate) or the raw deflate stream of versions 2 and 3'
            """,
        ]),
    ]

    /// Applies the migrations not yet applied, each in its own transaction, under an advisory
    /// lock so that two query nodes starting together do not race. Returns the versions applied.
    /// `target` stops at an older version (tests of the upgrade from it).
    @discardableResult
    package static func migrate(_ database: FleetDatabase, to target: Int = version) async throws -> [Int] {
        let logger = database.logger
        return try await database.client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(743301)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS tracetail_schema (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger)
            var current = 0
            for try await version in try await connection.query(
                "SELECT coalesce(max(version), 0)::int8 FROM tracetail_schema", logger: logger
            ).decode(Int64.self) {
                current = Int(version)
            }
            guard current <= version else {
                throw FleetError("the fleet schema is version \(current), newer than this build's \(version): upgrade tracetail")
            }
            var applied: [Int] = []
            for migration in migrations where migration.version > current && migration.version <= target {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO tracetail_schema (version) VALUES (\(migration.version))", logger: logger)
                applied.append(migration.version)
            }
            return applied
        }
    }

    /// The schema version the database has (0: none).
    package static func installedVersion(_ database: FleetDatabase) async throws -> Int {
        // Two statements: PostgreSQL resolves every table a statement names before it runs, so a
        // CASE that reads the table only when it exists still failed on a database without it
        // ("relation tracetail_schema does not exist"), and a host started before `pg init`
        // reported that as a failure instead of waiting for the schema.
        let exists = try await database.client.query(
            "SELECT to_regclass('tracetail_schema') IS NOT NULL", logger: database.logger)
        for try await present in exists.decode(Bool.self) where !present { return 0 }
        let rows = try await database.client.query(
            "SELECT coalesce(max(version), 0)::int8 FROM tracetail_schema", logger: database.logger)
        for try await version in rows.decode(Int64.self) { return Int(version) }
        return 0
    }

    /// Sets `fastupdate` off on the indexes of the postings tables `tables` selects (oids): a
    /// partitioned index takes no storage parameters after it is made, each day's index does.
    static func postingsWithoutPendingList(_ tables: String) -> String {
        """
        DO $$ DECLARE i regclass; BEGIN
            FOR i IN SELECT indexrelid::regclass FROM pg_index WHERE indrelid IN (\(tables)) LOOP
                EXECUTE format('ALTER INDEX %s SET (fastupdate = off)', i);
            END LOOP;
        END $$
        """
    }

    /// A trace's key in `tracetail_postings`: the two halves of its 64-bit index value XORed
    /// (for a UUIDv7 or X-Ray id the first half is mostly its time, so it is not dropped). Keys
    /// are 4 bytes in the array and the GIN index instead of 8; the few traces that share one
    /// cost a block read, and the block's decode keeps only the id asked for.
    package static func postingKey(_ key: IDKey) -> Int32 {
        key.foldedIndexValue
    }

    /// `postingKey` of a summary's `trace_id` (`s.trace_id`, a uuid), in SQL: the id's first 64
    /// bits, their halves XORed, as `IDKey.fold` does (`FleetSchemaTests` holds the two equal).
    package static let summaryKeySQL = """
        (('x' || substr(replace(s.trace_id::text, '-', ''), 1, 8))::bit(32)::int
         # ('x' || substr(replace(s.trace_id::text, '-', ''), 9, 8))::bit(32)::int)
        """

    static func blocksTable(_ day: Int64) -> String { "tracetail_blocks_d\(day)" }
    static func postingsTable(_ day: Int64) -> String { "tracetail_postings_d\(day)" }

    /// Creates a day's partitions if they are missing (under an advisory lock: shippers of several
    /// hosts meet at midnight).
    static func ensureDay(_ day: Int64, _ database: FleetDatabase) async throws {
        let logger = database.logger
        try await database.client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(743302)", logger: logger)
            var exists = false
            for try await _ in try await connection.query("SELECT 1 FROM tracetail_days WHERE day = \(day)", logger: logger) {
                exists = true
            }
            guard !exists else { return }
            let blocks = blocksTable(day)
            let postings = postingsTable(day)
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS \(blocks) PARTITION OF tracetail_blocks FOR VALUES FROM (\(day)) TO (\(day + 1))
                """), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: """
                ALTER TABLE \(blocks) ALTER COLUMN data SET STORAGE EXTERNAL, ALTER COLUMN filter SET STORAGE EXTERNAL
                """), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS \(postings) PARTITION OF tracetail_postings FOR VALUES FROM (\(day)) TO (\(day + 1))
                """), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: postingsWithoutPendingList("SELECT '\(postings)'::regclass")), logger: logger)
            try await connection.query("INSERT INTO tracetail_days (day) VALUES (\(day)) ON CONFLICT DO NOTHING", logger: logger)
        }
    }
}
