import Foundation
import GRDB
import Logging
import Synchronization
import TraceTailCore

/// The store: one SQLite file (WAL mode) through GRDB, holding zlib-compressed blocks of records
/// per source file, an index from ids to blocks, and the tail position of every file.
///
/// Tables (see docs/storage.md):
/// - `files`: each log file's identity, position and counters.
/// - `partitions`: one row per partition (a UTC day of storing by default) with its totals and
///   the time range of its records.
/// - `blocks_<p>`: the compressed blocks stored during partition `p`.
/// - The trace index: which blocks of `p` hold a trace id (its 64-bit `indexValue`); span,
///   workflow and task ids are found through each block's `filter`. Its newest rows wait in
///   `recent_postings` (commit order); they are then written as a sorted run of packed pages
///   in `runpages_<p>` (`PostingPages`), and runs are merged eight at a time (`posting_runs` lists
///   them with their level). Stores made before keep their row runs of `runs_<p>`
///   `(run, key, block)` and their `postings_<p>` `(key, block)`, read as more runs.
/// - `open_blocks`: the block each file is still filling, so a restart continues it.
///
/// Readers never wait for the writer (WAL); writes are serialised by GRDB's writer queue.
package final class SQLiteLogStore: LogStore {
    package let path: String
    package let options: StoreOptions
    /// The database: a `DatabasePool` on the store's file (WAL: readers never wait for the writer),
    /// or whatever `init(database:)` was given.
    let database: any DatabaseWriter
    let logger: Logger
    /// Where queries read (`read`): threads at a lower CPU priority than ingest, in the daemon;
    /// nil: GRDB's own reader queues.
    let queries: QueryExecutor?
    /// The blocks each file is filling. Touched only inside `database.write`, which GRDB serialises.
    let writer = WriterState()
    /// The filters of sealed blocks, per partition, for lookups by span, workflow and task.
    let filters = FilterCache()
    /// The trace index rows not yet written as a run, for readers.
    let recentPostings = RecentPostings()
    /// Blocks found undecodable (logged once each).
    let unreadableBlocks = Mutex<Set<BlockAddress>>([])
    /// Open blocks that could not be decoded and were set aside (the file went on in a new block).
    let setAsideBlocks = Mutex<Set<BlockAddress>>([])
    /// Partitions with a trace index page found undecodable (logged once each).
    let damagedIndexPartitions = Mutex<Set<Int64>>([])

    /// How many open blocks were set aside since the store was opened, because they could not be
    /// decoded.
    package var blocksSetAside: Int { setAsideBlocks.withLock { $0.count } }

    /// How a process uses the store: one process writes it (the daemon, `ingest`, `prune`), any
    /// number read it at the same time.
    package enum Access: Sendable {
        /// Creates the database if needed, runs migrations and takes the store's writer lock:
        /// a second writer is refused at once, naming the process that holds the lock.
        case write
        /// Opens an existing database read-only: never creates a file, never migrates, takes no
        /// lock, so it works while the daemon writes.
        case read
    }

    /// The writer lock, held for the store's life when opened for writing.
    private let lock: WriterLock?

    package init(
        path: String, access: Access = .write, options: StoreOptions = StoreOptions(),
        logger: Logger = Logger(label: "tracetail.store"), queries: QueryExecutor? = nil
    ) throws {
        self.path = path
        self.options = options
        self.logger = logger
        self.queries = queries
        var configuration = Configuration()
        configuration.label = "tracetail"
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 8
        // Readers' page caches of 512 KiB, not SQLite's 2 MB (up to 8 of them): the index's inner
        // pages fit, and the blob pages of random lookups missed a larger cache anyway. The writer
        // sets its own 2 MiB below.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -512") }
        switch access {
        case .read:
            lock = nil
            guard FileManager.default.fileExists(atPath: path) else {
                throw StoreError(.missing, path: path, detail: "no database here")
            }
            configuration.readonly = true
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                self.database = pool
                let known = try pool.read { db in try Self.migrator.hasCompletedMigrations(db) }
                guard known else {
                    try? pool.close()
                    throw StoreError(.open, path: path, detail: "not a tracetail store of this version (run tracetail serve or ingest on it to set it up)")
                }
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(.open, path: path, detail: "cannot open the database", underlying: error)
            }
        case .write:
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StoreError(.open, path: path, detail: "cannot create the folder \(directory)", underlying: error)
            }
            lock = try WriterLock(database: path)
            let existing = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            if existing == nil || existing == 0 {
                logger.notice("creating a new store", metadata: ["path": "\(path)"])
            }
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            do {
                // auto_vacuum and the page size can only be chosen before the first table exists, and
                // with WAL before the journal mode is: do it on a plain connection first. Pages of
                // 2 KiB: a block's blob (about 11 KB) ends in a half-empty overflow page on average,
                // and at 4 KiB that was 12 % of the blocks table (a store 7 % smaller on 200k
                // orchestrator records; older stores keep their page size).
                // A reader may already look at the file (`stats`, a test's probe): wait for it,
                // as the pool does, rather than fail on SQLITE_BUSY.
                var setupConfiguration = Configuration()
                setupConfiguration.busyMode = .timeout(10)
                let setup = try DatabaseQueue(path: path, configuration: setupConfiguration)
                try setup.writeWithoutTransaction { db in
                    let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                    if tables == 0 { try db.execute(sql: "PRAGMA page_size = 2048; PRAGMA auto_vacuum = INCREMENTAL; VACUUM") }
                }
                try setup.close()
                let pool = try DatabasePool(path: path, configuration: configuration)
                self.database = pool
                try Self.migrator.migrate(pool)
                // The writer's connection: a 2 MiB page cache (the right edges of the B-trees it
                // appends to, and the pages a merge slice reads; 4 MiB ingested 2M records no faster
                // and peaked 4 MB higher), and checkpoints every 4,000 pages of log rather than
                // every 1,000 (each one ends with an fsync).
                try pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA cache_size = -2048; PRAGMA wal_autocheckpoint = 4000")
                }
            } catch {
                lock?.release()
                throw StoreError(
                    .open, path: path,
                    detail: "cannot open the database; if it is damaged, `tracetail stats --check` says how, and moving the file aside starts a new store",
                    underlying: error)
            }
        }
    }

    /// A store on a database the caller opened, as GRDB's `AppDatabase` pattern has it: an in-memory
    /// `DatabaseQueue` in a test, say. The database is migrated here. No writer lock is taken (the
    /// caller owns the connection and must not hand it to two stores); `path` is the database's own.
    package init(
        database: any DatabaseWriter, options: StoreOptions = StoreOptions(),
        logger: Logger = Logger(label: "tracetail.store"), queries: QueryExecutor? = nil
    ) throws {
        self.path = database.path
        self.options = options
        self.logger = logger
        self.queries = queries
        self.lock = nil
        self.database = database
        try Self.migrator.migrate(database)
    }

    /// Reads for a query (records, traces, coverage): on the query threads when the store has
    /// them (a blocking read there, so that reading and decoding blocks run at their lower
    /// priority), else on GRDB's reader queues.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard let queries else { return try await database.read(body) }
        let database = self.database
        return try await queries.run { try database.read(body) }
    }

    /// Closes the database; pending work is already committed by `append`. The trace index rows
    /// still in `recent_postings`, if a quarter of a run or more, are written as a run (about 20
    /// bytes a row there, 3 in a packed run, and the next start has fewer to load), free pages
    /// are given back, and the write-ahead log is folded into the database, so the file on disk is
    /// the whole store.
    package func close() throws {
        defer { lock?.release() }
        guard lock != nil else { return try database.close() }
        do {
            // Only a quarter of a run or more: a store opened and closed often (`tracetail ingest`
            // every minute) would otherwise gain a small run each time, and level-1 runs, made of
            // eight, are never merged further.
            let threshold = max(1, options.recentPostingsLimit / 4)
            try database.write { db in
                guard let waiting = try Row.fetchOne(db, sql: "SELECT max(id), count(*) FROM recent_postings"),
                      let last = waiting[0] as Int64?, waiting[1] as Int64 >= threshold
                else { return }
                try self.mergeRecentPostings(through: last, db)
                self.writer.recentPostings = (0, last + 1)
            }
        } catch {
            // They stay where they are, read as before; the next start goes on from them.
            logger.error("could not write the trace index's recent rows as a run at close", metadata: ["path": "\(path)", "error": "\(error)"])
        }
        do {
            try database.writeWithoutTransaction { db in
                // The pages the recent rows had are free now; give them back with the rest.
                try db.execute(sql: "PRAGMA incremental_vacuum")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            // The data is safe in the write-ahead log; the next start folds it in.
            logger.error("could not fold the write-ahead log into the database at close", metadata: ["path": "\(path)", "error": "\(error)"])
        }
        try database.close()
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE files (
                    id INTEGER PRIMARY KEY,
                    path TEXT NOT NULL,
                    app TEXT NOT NULL,
                    stream TEXT NOT NULL,
                    instance INTEGER,
                    device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    head_length INTEGER NOT NULL,
                    head_hash INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    tail_hash INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    bytes_read INTEGER NOT NULL DEFAULT 0,
                    records INTEGER NOT NULL DEFAULT 0,
                    truncations INTEGER NOT NULL DEFAULT 0,
                    rotations INTEGER NOT NULL DEFAULT 0,
                    bytes_skipped INTEGER NOT NULL DEFAULT 0,
                    lines_truncated INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX files_path ON files(path);
                CREATE TABLE partitions (
                    id INTEGER PRIMARY KEY,
                    min_time INTEGER NOT NULL,
                    max_time INTEGER NOT NULL,
                    records INTEGER NOT NULL DEFAULT 0,
                    blocks INTEGER NOT NULL DEFAULT 0,
                    raw_bytes INTEGER NOT NULL DEFAULT 0,
                    stored_bytes INTEGER NOT NULL DEFAULT 0,
                    stored_at INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE open_blocks (
                    file_id INTEGER PRIMARY KEY,
                    partition INTEGER NOT NULL,
                    block INTEGER NOT NULL
                );
                """)
        }
        // What a fleet store (PostgreSQL) has acknowledged of each block: `records` the block
        // holds, `shipped` the first records the fleet store holds, `since` when the oldest change
        // not yet shipped was stored. Written with the block, in the same transaction; existing
        // blocks start unshipped.
        migrator.registerMigration("v2-shipping") { db in
            try db.execute(sql: """
                CREATE TABLE shipping (
                    partition INTEGER NOT NULL,
                    block INTEGER NOT NULL,
                    records INTEGER NOT NULL,
                    shipped INTEGER NOT NULL DEFAULT 0,
                    bytes INTEGER NOT NULL,
                    since INTEGER NOT NULL,
                    PRIMARY KEY (partition, block)
                ) WITHOUT ROWID;
                CREATE INDEX shipping_pending ON shipping(partition, block) WHERE records > shipped;
                """)
            for partition in try Row.fetchAll(db, sql: "SELECT id, stored_at FROM partitions") {
                let id: Int64 = partition["id"]
                guard try db.tableExists(blocksTable(id)) else { continue }
                try db.execute(
                    sql: """
                        INSERT INTO shipping (partition, block, records, shipped, bytes, since)
                        SELECT ?, id, records, 0, length(data), ? FROM \(blocksTable(id))
                        """,
                    arguments: [id, partition["stored_at"] as Int64])
            }
        }
        // The store's identity in a fleet store: a random id made once, with the store, and kept
        // for its life. A host name alone cannot tell a re-installed host, or a second host given
        // the same name, from the store that shipped under it (see `Shipper` and docs/fleet.md).
        migrator.registerMigration("v3-store-id") { db in
            try db.execute(sql: "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES ('store_id', ?)", arguments: [UUID().uuidString.lowercased()])
        }
        // The trace index's newest rows, appended in commit order and moved now and then into a
        // sorted run (`RecentPostings`, `posting_runs` lists the runs). Rows up to
        // `postings_merged_through` are in runs.
        migrator.registerMigration("v4-recent-postings") { db in
            try db.execute(sql: """
                CREATE TABLE recent_postings (
                    id INTEGER PRIMARY KEY,
                    partition INTEGER NOT NULL,
                    key INTEGER NOT NULL,
                    block INTEGER NOT NULL
                );
                INSERT INTO meta (key, value) VALUES ('postings_merged_through', '0');
                CREATE TABLE posting_runs (
                    partition INTEGER NOT NULL,
                    run INTEGER NOT NULL,
                    level INTEGER NOT NULL,
                    rows INTEGER NOT NULL,
                    next_key INTEGER,
                    PRIMARY KEY (partition, run)
                ) WITHOUT ROWID;
                """)
        }
        // Runs written from now on are packed (`PostingPages`, `runpages_<p>`); a store's row runs
        // of `runs_<p>` (`packed` 0) are still read, and a merge of them under way is finished.
        migrator.registerMigration("v5-packed-runs") { db in
            try db.execute(sql: "ALTER TABLE posting_runs ADD COLUMN packed INTEGER NOT NULL DEFAULT 0")
            // Every partition gets its pages table now: lookups read it in every partition.
            for partition in try Int64.fetchAll(db, sql: "SELECT id FROM partitions") where try db.tableExists(blocksTable(partition)) {
                try createPartitionTables(db, partition: partition)
            }
        }
        return migrator
    }

    static func blocksTable(_ partition: Int64) -> String { "blocks_\(partition)" }
    static func postingsTable(_ partition: Int64) -> String { "postings_\(partition)" }
    static func runsTable(_ partition: Int64) -> String { "runs_\(partition)" }
    static func runPagesTable(_ partition: Int64) -> String { "runpages_\(partition)" }

    static func createPartitionTables(_ db: Database, partition: Int64) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(blocksTable(partition)) (
                id INTEGER PRIMARY KEY,
                file_id INTEGER NOT NULL,
                first_offset INTEGER NOT NULL,
                end_offset INTEGER NOT NULL,
                min_time INTEGER NOT NULL,
                max_time INTEGER NOT NULL,
                records INTEGER NOT NULL,
                raw_bytes INTEGER NOT NULL,
                payload_bytes INTEGER NOT NULL,
                filter BLOB NOT NULL,
                data BLOB NOT NULL
            );
            CREATE TABLE IF NOT EXISTS \(postingsTable(partition)) (
                key INTEGER NOT NULL,
                block INTEGER NOT NULL,
                PRIMARY KEY (key, block)
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS \(runsTable(partition)) (
                run INTEGER NOT NULL,
                key INTEGER NOT NULL,
                block INTEGER NOT NULL,
                PRIMARY KEY (run, key, block)
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS \(runPagesTable(partition)) (
                id INTEGER PRIMARY KEY,
                data BLOB NOT NULL
            );
            """)
    }
}

/// A block of the store: its partition and id.
struct BlockAddress: Hashable, Sendable {
    var partition: Int64
    var block: Int64
}

/// The blocks being filled, one per file. Only touched inside the store's write transactions.
final class WriterState: @unchecked Sendable {
    struct OpenBlock: Sendable {
        var partition: Int64
        var blockID: Int64?
        /// The block's records so far, encoded.
        var builder: BlockBuilder
        var storedBytes: Int
        /// Ids already in the index for this block.
        var indexed: Set<IDKey>
        /// What the partition's totals already count of this block.
        var accountedRecords: Int
        var accountedRaw: Int
    }

    /// Open blocks by file id; `nil` entries were looked up and have none.
    var open: [Int64: OpenBlock] = [:]
    var loaded: Set<Int64> = []
    var knownPartitions: Set<Int64> = []
    /// Rows in `recent_postings` and the id the next one takes; nil until read in a transaction.
    var recentPostings: (count: Int, nextID: Int64)?
    /// Whether a merge of runs is under way (`posting_runs.next_key`); nil: not looked yet.
    var mergesRunning: Bool?
    /// How many keys the next merge slice copies (`advanceMerges` adapts it to its time).
    var mergeSliceKeys: Int64 = SQLiteLogStore.mergeSliceKeysRange.lowerBound * 4

    func reset() {
        open = [:]
        loaded = []
        knownPartitions = []
        recentPostings = nil
        mergesRunning = nil
    }
}
