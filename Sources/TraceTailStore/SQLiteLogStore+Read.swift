import Foundation
import GRDB
import TraceTailCore

extension SQLiteLogStore {
    package func records(_ query: RecordQuery) async throws -> RecordPage {
        try await read { db in try self.lookup(query, db).page }
    }

    /// The records found by an id, read from one snapshot of the database. A block that cannot be
    /// decoded is skipped and counted in the page (`unreadableBlocks`): the answer is then partial,
    /// and says so, rather than failing whole.
    package func records(_ query: RecordQuery, _ db: Database) throws -> RecordPage {
        try lookup(query, db).page
    }

    /// A block that may hold the id: where it is and the time range of its records.
    private struct CandidateBlock: TimeRangedBlock {
        var partition: Int64
        var id: Int64
        var fileID: Int64
        var minTime: Int64
        var maxTime: Int64
        var order: Int64 { id }
    }

    /// A page of records, and the blocks that could not be decoded.
    ///
    /// Paged in the store (`PageCollector`): the blocks that may hold the id are listed with their
    /// time ranges (no data read) and decoded in the answer's order until no block left can change
    /// the page.
    func lookup(_ query: RecordQuery, _ db: Database) throws -> (page: RecordPage, unreadable: Set<BlockAddress>) {
        var collector = PageCollector(query)
        // Trace index pages that could not be decoded: the blocks they list are not found, and
        // the page says it is partial as for a block that cannot be.
        var damagedPages = 0
        let blocks = collector.arrange(try candidateBlocks(for: query, db, damagedPages: &damagedPages))
        let files = try self.files(db, ids: Set(blocks.map(\.fileID)))
        var unreadable = Set<BlockAddress>()
        for block in blocks {
            guard collector.wants(block) else { break }
            // The row as the statement holds it: its blob is inflated where SQLite has it, not
            // copied out first. The row is valid while its cursor lives (the cursor resets the
            // statement when it goes), hence the explicit lifetime.
            let payload = try Row.fetchCursor(blockPayload(of: block.partition, db), arguments: [block.id])
            guard let file = files[block.fileID], let row = try payload.next() else { continue }
            let records = withExtendedLifetime(payload) { readableBlock(row, partition: block.partition, matching: query.key) }
            guard let records else {
                unreadable.insert(BlockAddress(partition: block.partition, block: block.id))
                continue
            }
            collector.add(records, file: file)
        }
        return (collector.page(unreadableBlocks: unreadable.count + damagedPages), unreadable)
    }

    /// The blocks that may hold the id, in partitions and with time ranges that meet since/until:
    /// from the trace index, or from the blocks' filters for the other kinds of id.
    private func candidateBlocks(for query: RecordQuery, _ db: Database, damagedPages: inout Int) throws -> [CandidateBlock] {
        var out: [CandidateBlock] = []
        let partitions = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, min_time, max_time FROM partitions WHERE records > 0 ORDER BY id"))
        // Columns by position here and below (by name, each read lowercased the name).
        filters.retain(only: Set(partitions.map { $0[0] as Int64 }))
        let isTrace = query.key.kind == .trace || query.key.kind == .traceOpaque
        let recent = isTrace ? try recentPostings.view(db) : .table
        for partition in partitions {
            let id: Int64 = partition[0]
            if let since = query.since, (partition[2] as Int64) < since { continue }
            if let until = query.until, (partition[1] as Int64) > until { continue }
            let blockIDs: [Int64]
            switch query.key.kind {
            case .trace, .traceOpaque:
                blockIDs = try traceBlocks(partition: id, keys: [query.key.indexValue], recent: recent, db, damagedPages: &damagedPages)
            default:
                blockIDs = try blocksByFilter(partition: id, query, db)
            }
            guard !blockIDs.isEmpty else { continue }
            // A trace's few blocks by a prepared statement each, not a statement built and
            // compiled per request; many (an id in many blocks' filters) in one statement.
            let rows: [Row]
            if blockIDs.count <= 64 {
                let statement = try db.cachedStatement(sql: "SELECT id, file_id, min_time, max_time FROM \(Self.blocksTable(id)) WHERE id = ?")
                rows = try blockIDs.compactMap { try Row.fetchOne(statement, arguments: [$0]) }
            } else {
                let list = blockIDs.map(String.init).joined(separator: ",")
                rows = try Row.fetchAll(db, sql: "SELECT id, file_id, min_time, max_time FROM \(Self.blocksTable(id)) WHERE id IN (\(list))")
            }
            for row in rows {
                let block = CandidateBlock(partition: id, id: row[0], fileID: row[1], minTime: row[2], maxTime: row[3])
                if let since = query.since, block.maxTime < since { continue }
                if let until = query.until, block.minTime > until { continue }
                out.append(block)
            }
        }
        return out
    }

    /// The blocks of a partition that the trace index says hold one of these keys (`indexValue`s):
    /// from its sorted runs (by the key folded to 32 bits: a block of another trace that shares it
    /// may come too, and its decode finds nothing), the `postings_<p>` of a store made before runs,
    /// and the rows not merged into a run yet (`recent`, taken once per lookup). Sorted, each once.
    func traceBlocks(partition: Int64, keys: [Int64], recent: RecentPostings.View, _ db: Database) throws -> [Int64] {
        var damagedPages = 0
        return try traceBlocks(partition: partition, keys: keys, recent: recent, db, damagedPages: &damagedPages)
    }

    /// `traceBlocks`, counting the index pages that could not be decoded in `damagedPages`.
    func traceBlocks(partition: Int64, keys: [Int64], recent: RecentPostings.View, _ db: Database, damagedPages: inout Int) throws -> [Int64] {
        guard !keys.isEmpty else { return [] }
        var blocks: [Int64]
        if keys.count == 1 {
            blocks = try Int64.fetchAll(
                db.cachedStatement(sql: "SELECT block FROM \(Self.postingsTable(partition)) WHERE key = ?"), arguments: [keys[0]])
            // Every row run of the partition in one statement: a seek per run on (run, key).
            blocks += try Int64.fetchAll(
                db.cachedStatement(sql: """
                    SELECT block FROM \(Self.runsTable(partition))
                    WHERE run IN (SELECT run FROM posting_runs WHERE partition = ? AND packed = 0) AND key = ?
                    """),
                arguments: [partition, IDKey.fold(keys[0])])
        } else {
            let list = keys.map(String.init).joined(separator: ",")
            let folded = Set(keys.map(IDKey.fold)).map(String.init).joined(separator: ",")
            blocks = try Int64.fetchAll(db, sql: "SELECT DISTINCT block FROM \(Self.postingsTable(partition)) WHERE key IN (\(list))")
            blocks += try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT block FROM \(Self.runsTable(partition))
                    WHERE run IN (SELECT run FROM posting_runs WHERE partition = ? AND packed = 0) AND key IN (\(folded))
                    """,
                arguments: [partition])
        }
        // Packed runs: per key, the one page of each run that may hold it, in one statement.
        let pages = try db.cachedStatement(sql: """
            SELECT (SELECT data FROM \(Self.runPagesTable(partition))
                    WHERE id >= r.run * \(PostingPages.runStride) + ? AND id < (r.run + 1) * \(PostingPages.runStride)
                    ORDER BY id LIMIT 1)
            FROM posting_runs r WHERE r.partition = ? AND r.packed = 1
            """)
        for key in Set(keys.map(IDKey.fold)) {
            // The key's place within a run: `PostingPages.rowID` of run 0.
            let found = try Row.fetchCursor(pages, arguments: [PostingPages.rowID(run: 0, lastKey: key), partition])
            while let row = try found.next() {
                guard let data = row[0] as Data? else { continue }
                do {
                    blocks += try PostingPages.blocks(data, key: key)
                } catch {
                    // The blocks it lists are not found by their trace ids; the rest of the index
                    // is. Failing the lookup made every trace whose key falls in it unreadable.
                    reportDamagedIndex(partition: partition, error)
                    damagedPages += 1
                }
            }
        }
        blocks += try recent.blocks(partition: partition, keys: keys, db)
        return Array(Set(blocks)).sorted()
    }

    /// Logs a damaged trace index page of a partition, once per partition.
    func reportDamagedIndex(partition: Int64, _ error: any Error) {
        guard damagedIndexPartitions.withLock({ $0.insert(partition).inserted }) else { return }
        logger.error("a trace index page cannot be decoded; skipped, the blocks it lists are not found by trace id (tracetail stats --check lists it)", metadata: [
            "partition": "\(partition)", "error": "\(error)",
        ])
    }

    /// The files of these ids (every file when nil), by id.
    func files(_ db: Database, ids: Set<Int64>? = nil) throws -> [Int64: FileState] {
        if ids?.isEmpty == true { return [:] }
        // A lookup's few files by a prepared statement each, not a query built per request.
        let records = try ids.map { ids in
            let statement = try db.cachedStatement(sql: FileRecord.selectSQL + " WHERE id = ?")
            return try ids.compactMap { try FileRecord.fetchOne(statement, arguments: [$0]) }
        } ?? FileRecord.fetchAll(db)
        var files: [Int64: FileState] = [:]
        for record in records {
            let file = record.state(host: options.hostName)
            files[file.id] = file
        }
        return files
    }

    /// The blocks of a partition whose time range meets since/until, data included, read one at a
    /// time.
    func blocks(of partition: Int64, since: Int64?, until: Int64?, _ db: Database) throws -> RowCursor {
        let (whereClause, arguments) = Self.timeRange(since: since, until: until)
        return try Row.fetchCursor(
            db, sql: "SELECT * FROM \(Self.blocksTable(partition)) \(whereClause)", arguments: arguments)
    }

    /// The ids of a partition's blocks whose time range meets since/until, newest first (by the
    /// time of their last record). Only the ids are sorted: sorting whole rows made SQLite copy
    /// every block's data into its sorter, about 100 ms for a 2M-record partition, whatever few
    /// blocks the caller then read.
    func newestBlockIDs(of partition: Int64, since: Int64?, until: Int64?, _ db: Database) throws -> [Int64] {
        let (whereClause, arguments) = Self.timeRange(since: since, until: until)
        return try Int64.fetchAll(
            db, sql: "SELECT id FROM \(Self.blocksTable(partition)) \(whereClause) ORDER BY max_time DESC", arguments: arguments)
    }

    /// One block's row, data included.
    func block(_ id: Int64, of partition: Int64, _ db: Database) throws -> Row? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(Self.blocksTable(partition)) WHERE id = ?"), arguments: [id])
    }

    /// The statement that reads a block's id, payload size and data (`decodeBlock`'s columns), by id.
    func blockPayload(of partition: Int64, _ db: Database) throws -> Statement {
        try db.cachedStatement(sql: "SELECT id, payload_bytes, data FROM \(Self.blocksTable(partition)) WHERE id = ?")
    }

    private static func timeRange(since: Int64?, until: Int64?) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let since { conditions.append("max_time >= ?"); arguments.append(since) }
        if let until { conditions.append("min_time <= ?"); arguments.append(until) }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), StatementArguments(arguments))
    }

    /// A block's records, or nil (logged once per block) when it cannot be decoded.
    func readableBlock(_ row: Row, partition: Int64, matching: IDKey? = nil, texts: Bool = true) -> [IndexedRecord]? {
        do {
            return try decodeBlock(row, matching: matching, texts: texts)
        } catch {
            let block: Int64 = row["id"]
            if unreadableBlocks.withLock({ $0.insert(BlockAddress(partition: partition, block: block)).inserted }) {
                logger.error("block cannot be decoded; skipped (tracetail stats --check lists it)", metadata: [
                    "partition": "\(partition)", "block": "\(block)", "error": "\(error)",
                ])
            }
            return nil
        }
    }

    /// The blocks of a partition whose filter may hold the id (span, workflow, task), from the
    /// in-memory filter cache, brought up to date first with what this snapshot shows.
    private func blocksByFilter(partition: Int64, _ query: RecordQuery, _ db: Database) throws -> [Int64] {
        let table = Self.blocksTable(partition)
        let cached = filters.snapshot(partition)
        let open = Set(try Int64.fetchAll(db, sql: "SELECT block FROM open_blocks WHERE partition = ?", arguments: [partition]))
        func entry(_ row: Row) -> FilterCache.Entry {
            let id: Int64 = row["id"]
            return FilterCache.Entry(
                id: id, minTime: row["min_time"], maxTime: row["max_time"],
                filter: BlockFilter(bits: Array(row["filter"] as Data)), sealed: !open.contains(id))
        }
        var observed = try Row.fetchAll(
            db, sql: "SELECT id, min_time, max_time, filter FROM \(table) WHERE id > ? ORDER BY id", arguments: [cached.lastID]
        ).map(entry)
        let lastID = max(cached.lastID, observed.last?.id ?? 0)
        let refresh = cached.unsettled
        if !refresh.isEmpty {
            let list = refresh.map(String.init).joined(separator: ",")
            observed += try Row.fetchAll(db, sql: "SELECT id, min_time, max_time, filter FROM \(table) WHERE id IN (\(list))").map(entry)
        }
        var entries = filters.merge(partition, observed: observed, through: lastID).entries
        // What this snapshot shows of a block still open wins over another reader's view of it,
        // unless that one is sealed (a sealed filter holds every id the block ever had).
        for entry in observed where entries[entry.id]?.sealed != true { entries[entry.id] = entry }
        return entries.values.compactMap { entry in
            if let since = query.since, entry.maxTime < since { return nil }
            if let until = query.until, entry.minTime > until { return nil }
            return entry.filter.mayContain(query.key) ? entry.id : nil
        }
    }

    package func statistics() async throws -> StoreStatistics {
        let path = self.path
        // GRDB's own readers, not the query threads: `/readyz`, `/stats` and `/metrics` ask for
        // these, and a probe must not wait behind a crowd of queries at their lower priority.
        return try await database.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT coalesce(sum(records), 0) AS records, coalesce(sum(blocks), 0) AS blocks,
                       coalesce(sum(raw_bytes), 0) AS raw, coalesce(sum(stored_bytes), 0) AS stored,
                       min(min_time) AS oldest, max(max_time) AS newest, count(*) AS partitions
                FROM partitions WHERE records > 0
                """)!
            let files = try Int64.fetchOne(db, sql: "SELECT count(*) FROM files") ?? 0
            var fileBytes: Int64 = 0
            for suffix in ["", "-wal"] {
                let attributes = try? FileManager.default.attributesOfItem(atPath: path + suffix)
                fileBytes += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
            }
            return StoreStatistics(
                records: row["records"], blocks: row["blocks"], rawBytes: row["raw"], storedBytes: row["stored"],
                fileBytes: fileBytes, oldestTime: row["oldest"], newestTime: row["newest"], files: files,
                partitions: row["partitions"])
        }
    }
}

extension SQLiteLogStore {
    /// SQLite's own check of the file, and ours: every block decodes, and the partition totals add
    /// up. Returns the problems found (empty: consistent). For `tracetail stats --check` and tests.
    package func check() async throws -> [String] {
        try await database.read { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            for partition in try Row.fetchAll(db, sql: "SELECT id, records, blocks FROM partitions") {
                let id: Int64 = partition["id"]
                var records: Int64 = 0
                var blocks: Int64 = 0
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(Self.blocksTable(id))")
                while let row = try rows.next() {
                    blocks += 1
                    do {
                        let decoded = try self.decodeBlock(row, texts: false)
                        records += Int64(decoded.count)
                        if decoded.count != row["records"] as Int { problems.append("block \(row["id"] as Int64) of partition \(id): record count differs") }
                    } catch {
                        // Listed once; its own row's count stands in for it in the totals.
                        problems.append("partition \(id): \(error)")
                        records += row["records"] as Int64
                    }
                }
                if records != partition["records"] as Int64 || blocks != partition["blocks"] as Int64 {
                    problems.append("partition \(id): totals say \(partition["records"] as Int64) records in \(partition["blocks"] as Int64) blocks, blocks hold \(records) in \(blocks)")
                }
                if try db.tableExists(Self.runPagesTable(id)) {
                    let pages = try Row.fetchCursor(db, sql: "SELECT id, data FROM \(Self.runPagesTable(id))")
                    while let page = try pages.next() {
                        do { _ = try PostingPages.pairs(page[1]) } catch {
                            problems.append("partition \(id): trace index page \(page[0] as Int64) cannot be decoded: \(error)")
                        }
                    }
                }
            }
            return problems
        }
    }
}
