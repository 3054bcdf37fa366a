import Dispatch
import Foundation
import GRDB
import GRDBSQLite
import Synchronization
import TraceTailCore

extension SQLiteLogStore {
    package func files() async throws -> [FileState] {
        try await database.read { db in
            try FileRecord.order(Column("id")).fetchAll(db).map { $0.state(host: self.options.hostName) }
        }
    }

    package func register(_ file: FileState) async throws -> FileState {
        try await database.write { db in
            var record = FileRecord(file, new: true)
            try record.insert(db)
            var registered = file
            registered.id = record.id!
            return registered
        }
    }

    package func append(_ batch: IngestBatch) async throws {
        guard !batch.isEmpty else { return }
        do {
            try await database.write { db in try self.write(batch, db) }
        } catch {
            // The transaction rolled back: forget the in-memory open blocks, reload them from disk.
            try? await database.writeWithoutTransaction { _ in self.writer.reset() }
            throw error
        }
    }

    private func write(_ batch: IngestBatch, _ db: Database) throws {
        // Group by file as indices, so that records are copied once, into their blocks.
        var order: [Int64] = []
        var byFile: [Int64: [Int]] = [:]
        for (index, entry) in batch.records.enumerated() {
            if byFile[entry.fileID] == nil { order.append(entry.fileID) }
            byFile[entry.fileID, default: []].append(index)
        }
        // Cut the records into blocks first; encode and compress every block on all cores; then
        // write. A block still open from the last commit goes on from its builder: its records
        // are encoded once, only its compression is redone.
        // Records go to the partition of the day they are stored, whatever time they carry: the
        // number of partitions, the ingest rate and the store's size never depend on record times
        // (a file of records one per day over 50 years is one partition, not 18,000). Record times
        // are indexed inside, by each block's and partition's time range.
        let storedIn = partition(of: batch.storedAt)
        var jobs: [Job] = []
        for fileID in order {
            var block = try openBlock(for: fileID, db)
            var pending: [Int] = []
            var pendingRaw = 0
            for index in byFile[fileID]! {
                // Its size only: copying the record out (its text and ids) cost a retain and a
                // release of each of its buffers, on the writer's one thread.
                let rawCount = batch.records[index].record.raw.count
                // A block is sealed when full, and when the day of storing changed, so that
                // dropping a partition never cuts a block.
                if let current = block, current.builder.count + pending.count > 0,
                   current.builder.rawBytes + pendingRaw + rawCount > options.blockBytes
                    || storedIn != current.partition
                {
                    jobs.append(Job(fileID: fileID, block: current, records: pending, sealed: true))
                    block = nil
                    pending = []
                    pendingRaw = 0
                }
                if block == nil {
                    try ensurePartition(storedIn, db)
                    block = WriterState.OpenBlock(
                        partition: storedIn, blockID: nil, builder: BlockBuilder(), storedBytes: 0,
                        indexed: [], accountedRecords: 0, accountedRaw: 0)
                }
                pending.append(index)
                pendingRaw += rawCount
            }
            if let open = block { jobs.append(Job(fileID: fileID, block: open, records: pending, sealed: false)) }
            writer.open[fileID] = nil
        }
        // Each block is written as soon as it and those before it are compressed: the writes of
        // the first blocks go on while the cores compress the others.
        let compressing = Compression(jobs, batch, level: options.compressionLevel)
        var postings: [(Int64, Int64, Int64)] = []
        for (index, job) in jobs.enumerated() {
            let encoded = try compressing.take(index)
            var block = job.block
            block.builder = encoded.builder
            try save(&block, encoded, fileID: job.fileID, sealed: job.sealed, storedAt: batch.storedAt, postings: &postings, db)
            if !job.sealed { writer.open[job.fileID] = block }
        }
        try appendRecentPostings(postings, db)
        try advanceMerges(db)
        for file in batch.files {
            try FileRecord(file).update(db)
        }
    }

    /// Appends trace index rows to `recent_postings` (the end of a table in id order: a page per few
    /// hundred rows), and writes them as sorted runs once `recentPostingsLimit` have gathered
    /// (`mergeRecentPostings`; `RecentPostings` says why).
    private func appendRecentPostings(_ postings: [(Int64, Int64, Int64)], _ db: Database) throws {
        guard !postings.isEmpty else { return }
        var count: Int
        var nextID: Int64
        if let known = writer.recentPostings {
            (count, nextID) = known
        } else {
            let row = try Row.fetchOne(db, sql: "SELECT count(*), max(id) FROM recent_postings")!
            count = row[0]
            nextID = max((row[1] as Int64?) ?? 0, try RecentPostings.mergedThrough(db)) + 1
        }
        let insert = try db.cachedStatement(sql: "INSERT INTO recent_postings (id, partition, key, block) VALUES (?, ?, ?, ?)")
        for (partition, key, block) in postings {
            try insert.executeInts(nextID, partition, key, block, db)
            nextID += 1
        }
        count += postings.count
        if count >= options.recentPostingsLimit {
            try mergeRecentPostings(through: nextID - 1, db)
            count = 0
        }
        writer.recentPostings = (count, nextID)
    }

    /// Moves every row of `recent_postings` into a new sorted run of its partition's
    /// `runpages_<p>` (keys folded to 32 bits, `IDKey.foldedIndexValue`; packed pages,
    /// `PostingPages`), then starts merging runs eight at a time (`compactRuns`). Its pages go in
    /// key order into one place of the table: each is written once, however large the index. The same rows inserted
    /// in key order into one B-tree of every key rewrote about a page per row once the index was
    /// larger than a merge (estimated for a 100M-record day: most of a 330 MB index every 700k
    /// records).
    func mergeRecentPostings(through last: Int64, _ db: Database) throws {
        for partition in try Int64.fetchAll(db, sql: "SELECT DISTINCT partition FROM recent_postings") {
            guard try db.tableExists(Self.blocksTable(partition)) else { continue }
            // A partition made before runs existed gets its runs table here.
            try Self.createPartitionTables(db, partition: partition)
            let run = try nextRun(partition, db)
            let started = ContinuousClock.now
            // In key order from SQLite's sort, straight into pages: no copy of the rows in memory.
            var pages = PostingPages.Writer()
            let sorted = try Row.fetchCursor(
                db.cachedStatement(sql: """
                    SELECT \(Self.foldSQL("key")) AS folded, block FROM recent_postings WHERE partition = ?
                    ORDER BY folded, block
                    """),
                arguments: [partition])
            while let row = try sorted.next() {
                pages.add(key: Int32(truncatingIfNeeded: row[0] as Int64), block: row[1])
            }
            try insertPages(pages.finish(), run: run, partition: partition, db)
            let rows = pages.pairs
            try db.execute(
                sql: "INSERT INTO posting_runs (partition, run, level, rows, packed) VALUES (?, ?, 0, ?, 1)",
                arguments: [partition, run, rows])
            logger.debug("trace index: run written", metadata: [
                "partition": "\(partition)", "run": "\(run)", "rows": "\(rows)", "ms": "\(Self.milliseconds(since: started))",
            ])
            try compactRuns(partition, db)
        }
        try db.execute(sql: "DELETE FROM recent_postings")
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'postings_merged_through'", arguments: [String(last)])
    }

    /// `IDKey.fold` in SQLite's SQL, which has no XOR: on the two 32-bit halves (each below 2^32,
    /// so nothing overflows) `a | b - a & b` is `a ^ b`, then read as a signed 32-bit number.
    static func foldSQL(_ column: String) -> String {
        let low = "(\(column) & 4294967295)"
        let high = "((\(column) >> 32) & 4294967295)"
        let xor = "((\(low) | \(high)) - (\(low) & \(high)))"
        return "(\(xor) - ((\(xor) & 2147483648) << 1))"
    }

    /// Level-0 runs merged at a time into one run of level 1.
    static let runFanout = 8
    /// A merge copies a slice of the 32-bit key space per commit, and deletes the slice's rows
    /// from the runs they came from in the same commit: a merge of eight 131k-row runs done at
    /// once held the writer for 1.45 s (10M pino records). The slice's width adapts to take
    /// about `mergeSliceMillis`, from a 256th to a 16th of the key space (a 64th to start with):
    /// at a fixed 16th, a slice took 100-160 ms while 64 clients queried, every commit of the
    /// merge waited that long, and the backlog of a writer at 100k records/s rose by 60 MB in
    /// the 3.5 s the merge took. Smaller slices spread the same work over more commits.
    static let mergeSliceKeysRange: ClosedRange<Int64> = ((Int64(1) << 32) / 256)...((Int64(1) << 32) / 16)
    static let mergeSliceMillis: ClosedRange<Int64> = 10...30
    /// Level-1 run ids start here, above any level-0 id, so the run being built is always the
    /// last in its table and its slices are appended at the B-tree's right edge, however many
    /// level-0 runs are written meanwhile. Level-0 ids are the highest live one plus one, so they
    /// stay small (a merge is done in 16 to 256 commits). A page's id holds its run above 33 bits
    /// of key, so run ids must stay below 2^30; in the row runs of older stores every row stored
    /// its run id (ids from 2^40 took six bytes: 1.4 % of a 10M-record store).
    static let levelOneRunBase: Int64 = 1 << 14

    /// Starts merging a partition's level-0 runs once there are `runFanout` of them and no merge
    /// is running there: they get level -1 (being merged), and a level-1 run is listed with
    /// `next_key`, the first key still to copy. Level-1 runs are not merged further, so a
    /// partition gains one per about 1M index rows (5.4M pino records): about 25 runs on a
    /// 100M-record day, all probed by one statement. Each index row is written twice.
    private func compactRuns(_ partition: Int64, _ db: Database) throws {
        guard try Int64.fetchOne(
            db, sql: "SELECT run FROM posting_runs WHERE partition = ? AND next_key IS NOT NULL", arguments: [partition]) == nil
        else { return }
        let runs = try Int64.fetchAll(
            db, sql: "SELECT run FROM posting_runs WHERE partition = ? AND level = 0 AND packed = 1 ORDER BY run",
            arguments: [partition])
        guard runs.count >= Self.runFanout else { return }
        let list = runs.map(String.init).joined(separator: ",")
        try db.execute(sql: "UPDATE posting_runs SET level = -1 WHERE partition = ? AND run IN (\(list))", arguments: [partition])
        let last = try Int64.fetchOne(
            db, sql: "SELECT max(run) FROM posting_runs WHERE partition = ? AND run >= ?", arguments: [partition, Self.levelOneRunBase])
        try db.execute(
            sql: "INSERT INTO posting_runs (partition, run, level, rows, next_key, packed) VALUES (?, ?, 1, 0, ?, 1)",
            arguments: [partition, (last ?? Self.levelOneRunBase - 1) + 1, Int64(Int32.min)])
        writer.mergesRunning = true
    }

    /// One slice of every running merge (`compactRuns`), in this commit: the slice's rows are
    /// copied into the level-1 run in key order and deleted from the runs being merged, so every
    /// row is in exactly one run at every commit, and readers, which probe every listed run, miss
    /// none. The last slice drops the merged runs from the list.
    func advanceMerges(_ db: Database) throws {
        guard writer.mergesRunning != false else { return }
        let jobs = try Row.fetchAll(db, sql: "SELECT partition, run, next_key, packed FROM posting_runs WHERE next_key IS NOT NULL")
        for job in jobs {
            let partition: Int64 = job["partition"]
            let run: Int64 = job["run"]
            let next: Int64 = job["next_key"]
            // At least one key: a width of 0 from the options would never finish the merge.
            let end = next + max(1, options.mergeSliceKeys ?? writer.mergeSliceKeys)
            let started = ContinuousClock.now
            let sources = try Int64.fetchAll(
                db, sql: "SELECT run FROM posting_runs WHERE partition = ? AND level = -1", arguments: [partition])
            var copied = 0
            if job["packed"] as Int64 != 0 {
                copied = try mergePages(from: sources, into: run, keys: next..<end, partition: partition, db)
            } else if !sources.isEmpty {
                // A merge of row runs, begun by a build before packed runs.
                let table = Self.runsTable(partition)
                let list = sources.map(String.init).joined(separator: ",")
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO \(table) (run, key, block)
                        SELECT ?, key, block FROM \(table) WHERE run IN (\(list)) AND key >= ? AND key < ? ORDER BY key, block
                        """,
                    arguments: [run, next, end])
                copied = db.changesCount
                try db.execute(sql: "DELETE FROM \(table) WHERE run IN (\(list)) AND key >= ? AND key < ?", arguments: [next, end])
            }
            if end > Int64(Int32.max) {
                try db.execute(sql: "DELETE FROM posting_runs WHERE partition = ? AND level = -1", arguments: [partition])
                try db.execute(
                    sql: "UPDATE posting_runs SET rows = rows + ?, next_key = NULL WHERE partition = ? AND run = ?",
                    arguments: [copied, partition, run])
            } else {
                try db.execute(
                    sql: "UPDATE posting_runs SET rows = rows + ?, next_key = ? WHERE partition = ? AND run = ?",
                    arguments: [copied, end, partition, run])
            }
            let millis = Self.milliseconds(since: started)
            logger.debug("trace index: merge slice", metadata: [
                "partition": "\(partition)", "run": "\(run)", "runs": "\(sources.count)", "rows": "\(copied)",
                "done": "\(end > Int64(Int32.max))", "ms": "\(millis)", "keys": "\(end - next)",
            ])
            // A width fixed by the options is not adapted.
            if options.mergeSliceKeys == nil {
                if millis > Self.mergeSliceMillis.upperBound {
                    writer.mergeSliceKeys = max(Self.mergeSliceKeysRange.lowerBound, writer.mergeSliceKeys / 2)
                } else if millis < Self.mergeSliceMillis.lowerBound {
                    writer.mergeSliceKeys = min(Self.mergeSliceKeysRange.upperBound, writer.mergeSliceKeys * 2)
                }
            }
        }
        writer.mergesRunning = try Int64.fetchOne(db, sql: "SELECT count(*) FROM posting_runs WHERE next_key IS NOT NULL") ?? 0 > 0
    }

    /// Writes a run's pages (`PostingPages`).
    private func insertPages(_ pages: [(lastKey: Int32, data: [UInt8])], run: Int64, partition: Int64, _ db: Database) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO \(Self.runPagesTable(partition)) (id, data) VALUES (?, ?)")
        for page in pages {
            try insert.execute(arguments: [PostingPages.rowID(run: run, lastKey: page.lastKey), Data(page.data)])
        }
    }

    /// One merge slice of packed runs: the pairs of `keys` in the source runs go, in order, into
    /// new pages of `run`; the sources' pages of the slice are deleted, and a page that also
    /// holds keys past the slice is written again with those only (its id, its last key, stays).
    /// Earlier slices took every key below `keys`, so the sources' first pages from
    /// `keys.lowerBound` on are the slice's. Returns the pairs copied.
    private func mergePages(from sources: [Int64], into run: Int64, keys: Range<Int64>, partition: Int64, _ db: Database) throws -> Int {
        let table = Self.runPagesTable(partition)
        var pairs: [(key: Int32, block: Int64)] = []
        let pagesFrom = try db.cachedStatement(sql: "SELECT id, data FROM \(table) WHERE id >= ? AND id < ? ORDER BY id")
        let delete = try db.cachedStatement(sql: "DELETE FROM \(table) WHERE id = ?")
        let rewrite = try db.cachedStatement(sql: "UPDATE \(table) SET data = ? WHERE id = ?")
        for source in sources {
            let first = PostingPages.rowID(run: source, lastKey: Int32(clamping: keys.lowerBound))
            // Read first, then change: the cursor is gone before its table is written.
            var done: [Int64] = []
            var kept: (id: Int64, data: [UInt8])?
            do {
                let rows = try Row.fetchCursor(pagesFrom, arguments: [first, PostingPages.rowIDs(run: source).upperBound])
                while let row = try rows.next() {
                    let id: Int64 = row[0]
                    let page: [(key: Int32, block: Int64)]
                    do {
                        page = try PostingPages.pairs(row[1])
                    } catch {
                        // Dropped with its pairs, not merged: thrown, it rolled back every commit
                        // from here on (each one goes on with the merge), and ingest stopped.
                        reportDamagedIndex(partition: partition, error)
                        done.append(id)
                        continue
                    }
                    let inSlice = page.prefix { Int64($0.key) < keys.upperBound }
                    pairs += inSlice
                    guard inSlice.count < page.count else {
                        done.append(id)
                        continue
                    }
                    if !inSlice.isEmpty {
                        var rest = PostingPages.Writer(cutting: false)
                        for pair in page.dropFirst(inSlice.count) { rest.add(key: pair.key, block: pair.block) }
                        kept = (id, rest.finish()[0].data)
                    }
                    break
                }
            }
            for id in done { try delete.execute(arguments: [id]) }
            if let kept { try rewrite.execute(arguments: [Data(kept.data), kept.id]) }
        }
        pairs.sort { $0.key != $1.key ? $0.key < $1.key : $0.block < $1.block }
        var pages = PostingPages.Writer()
        for pair in pairs { pages.add(key: pair.key, block: pair.block) }
        try insertPages(pages.finish(), run: run, partition: partition, db)
        return pages.pairs
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }

    /// The next level-0 run id of a partition.
    private func nextRun(_ partition: Int64, _ db: Database) throws -> Int64 {
        let last = try Int64.fetchOne(
            db, sql: "SELECT max(run) FROM posting_runs WHERE partition = ? AND run < ?", arguments: [partition, Self.levelOneRunBase])
        return (last ?? 0) + 1
    }

    func partition(of time: Int64) -> Int64 {
        let width = options.partitionMillis
        return time >= 0 ? time / width : (time - width + 1) / width
    }

    private func ensurePartition(_ partition: Int64, _ db: Database) throws {
        guard !writer.knownPartitions.contains(partition) else { return }
        try Self.createPartitionTables(db, partition: partition)
        try db.execute(
            sql: "INSERT OR IGNORE INTO partitions (id, min_time, max_time) VALUES (?, ?, ?)",
            arguments: [partition, Int64.max, Int64.min])
        writer.knownPartitions.insert(partition)
    }

    /// The block a file is filling: from memory, or after a restart from `open_blocks`.
    private func openBlock(for fileID: Int64, _ db: Database) throws -> WriterState.OpenBlock? {
        if writer.loaded.contains(fileID) { return writer.open[fileID] }
        writer.loaded.insert(fileID)
        guard let row = try Row.fetchOne(db, sql: "SELECT partition, block FROM open_blocks WHERE file_id = ?", arguments: [fileID]) else {
            return nil
        }
        let partition: Int64 = row["partition"]
        let blockID: Int64 = row["block"]
        try ensurePartition(partition, db)
        guard let block = try self.block(blockID, of: partition, db) else {
            try db.execute(sql: "DELETE FROM open_blocks WHERE file_id = ?", arguments: [fileID])
            return nil
        }
        guard let records = readableBlock(block, partition: partition) else {
            // Damaged on disk: set aside as it is (its records stay counted, `stats --check` lists
            // it) and the file goes on in a new block. Never a reason to stop ingesting.
            try db.execute(sql: "DELETE FROM open_blocks WHERE file_id = ?", arguments: [fileID])
            _ = setAsideBlocks.withLock { $0.insert(BlockAddress(partition: partition, block: blockID)) }
            logger.error("open block cannot be decoded; set aside, the file goes on in a new block", metadata: [
                "partition": "\(partition)", "block": "\(blockID)", "file_id": "\(fileID)",
            ])
            return nil
        }
        let builder = BlockBuilder(records)
        let data: [UInt8] = Array(block["data"] as Data)
        let open = WriterState.OpenBlock(
            partition: partition, blockID: blockID, builder: builder, storedBytes: data.count,
            indexed: builder.traces, accountedRecords: builder.count, accountedRaw: builder.rawBytes)
        writer.open[fileID] = open
        return open
    }

    /// A block to write: the block as it was, the batch's records that go into it (indices), and
    /// whether it is full.
    struct Job: Sendable {
        var fileID: Int64
        var block: WriterState.OpenBlock
        var records: [Int]
        var sealed: Bool
    }

    /// A block ready to write: its builder with the new records, payload size and compressed bytes.
    struct EncodedBlock: Sendable {
        var builder: BlockBuilder
        var payloadBytes: Int
        var data: [UInt8]
    }

    /// Blocks being encoded and compressed on the global queue's threads (as many as there are
    /// cores), taken in order by the writer as each is done. Sealed blocks get the configured
    /// level; open ones level 1, since the next commit compresses them again.
    ///
    /// The writer used to compress every block of a commit first, on all cores, and only then
    /// write them: a third of a commit was its writes, on one core, while the other had nothing
    /// of the commit's to do. Now the writes of a commit's first blocks overlap the compression
    /// of the rest. A commit that fails leaves the remaining jobs to finish and be dropped.
    final class Compression: @unchecked Sendable {
        private let results: Mutex<[Result<EncodedBlock, any Error>?]>
        private let done: [DispatchSemaphore]

        init(_ jobs: [Job], _ batch: IngestBatch, level: Int32) {
            results = Mutex(Array(repeating: nil, count: jobs.count))
            done = jobs.map { _ in DispatchSemaphore(value: 0) }
            for index in jobs.indices {
                DispatchQueue.global().async { [self] in
                    let result = Result { () throws -> EncodedBlock in
                        let job = jobs[index]
                        var builder = job.block.builder
                        for record in job.records { builder.append(batch.records[record].record) }
                        let stored = try builder.stored(level: job.sealed ? level : min(level, 1))
                        return EncodedBlock(builder: builder, payloadBytes: stored.payloadBytes, data: stored.data)
                    }
                    results.withLock { $0[index] = result }
                    done[index].signal()
                }
            }
        }

        /// Waits for block `index` (each is taken once).
        func take(_ index: Int) throws -> EncodedBlock {
            done[index].wait()
            return try results.withLock { results in
                defer { results[index] = nil }
                return results[index]!
            }.get()
        }
    }

    /// Writes a compressed block with its index rows and the partition's totals.
    private func save(
        _ block: inout WriterState.OpenBlock, _ encoded: EncodedBlock, fileID: Int64, sealed: Bool, storedAt: Int64,
        postings: inout [(Int64, Int64, Int64)], _ db: Database
    ) throws {
        let summary = encoded.builder
        let data = encoded.data
        let blocks = Self.blocksTable(block.partition)
        let arguments: StatementArguments = [
            fileID, summary.firstOffset, summary.endOffset, summary.minTime, summary.maxTime, summary.count,
            summary.rawBytes, encoded.payloadBytes, Data(summary.filter.bits), Data(data),
        ]
        var newBlocks = 0
        if let id = block.blockID {
            try db.cachedStatement(sql: """
                UPDATE \(blocks) SET file_id = ?, first_offset = ?, end_offset = ?, min_time = ?, max_time = ?,
                    records = ?, raw_bytes = ?, payload_bytes = ?, filter = ?, data = ? WHERE id = ?
                """).execute(arguments: arguments + [id])
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO \(blocks) (file_id, first_offset, end_offset, min_time, max_time, records, raw_bytes,
                    payload_bytes, filter, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: arguments)
            block.blockID = db.lastInsertedRowID
            newBlocks = 1
        }
        let blockID = block.blockID!
        for key in summary.traces where !block.indexed.contains(key) {
            postings.append((block.partition, key.indexValue, blockID))
            block.indexed.insert(key)
        }
        try db.cachedStatement(sql: """
            UPDATE partitions SET records = records + ?, blocks = blocks + ?, raw_bytes = raw_bytes + ?,
                stored_bytes = stored_bytes + ?, min_time = min(min_time, ?), max_time = max(max_time, ?),
                stored_at = max(stored_at, ?)
            WHERE id = ?
            """).execute(arguments: [
                summary.count - block.accountedRecords, newBlocks, summary.rawBytes - block.accountedRaw,
                data.count - block.storedBytes, summary.minTime, summary.maxTime,
                summary.count > block.accountedRecords ? storedAt : 0, block.partition,
            ])
        // The shipping ledger: the block has more records than the fleet store acknowledged.
        try db.cachedStatement(sql: """
            INSERT INTO shipping (partition, block, records, shipped, bytes, since) VALUES (?, ?, ?, 0, ?, ?)
            ON CONFLICT (partition, block) DO UPDATE SET
                since = CASE WHEN shipped >= records THEN excluded.since ELSE since END,
                records = excluded.records, bytes = excluded.bytes
            """).execute(arguments: [block.partition, blockID, summary.count, data.count, storedAt])
        block.accountedRecords = summary.count
        block.accountedRaw = summary.rawBytes
        block.storedBytes = data.count
        if sealed {
            try db.cachedStatement(sql: "DELETE FROM open_blocks WHERE file_id = ?").execute(arguments: [fileID])
        } else {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO open_blocks (file_id, partition, block) VALUES (?, ?, ?)")
                .execute(arguments: [fileID, block.partition, blockID])
        }
    }

    func decodeBlock(_ row: Row, matching: IDKey? = nil, texts: Bool = true) throws -> [IndexedRecord] {
        let payloadBytes: Int = row["payload_bytes"]
        do {
            return try row.withUnsafeData(named: "data") { data in
                try (data ?? Data()).withUnsafeBytes {
                    try BlockCodec.decode(stored: $0, payloadBytes: payloadBytes, matching: matching, texts: texts)
                }
            }
        } catch {
            let id: Int64 = row["id"]
            throw StoreError(.corruptBlock, path: path, detail: "block \(id) cannot be decoded", underlying: error)
        }
    }
}

extension Statement {
    /// Runs this statement once with four integer arguments, through SQLite's own calls: GRDB's
    /// `execute(arguments:)` boxes each argument and checks the statement at every call, about
    /// 2.6 µs a row, and a commit appends a trace index row per trace and block (374,000 for 2M
    /// pino records: a tenth of the time the writer held a commit).
    func executeInts(_ a: Int64, _ b: Int64, _ c: Int64, _ d: Int64, _ db: Database) throws {
        let handle = sqliteStatement
        sqlite3_reset(handle)
        var code = sqlite3_bind_int64(handle, 1, a)
        if code == SQLITE_OK { code = sqlite3_bind_int64(handle, 2, b) }
        if code == SQLITE_OK { code = sqlite3_bind_int64(handle, 3, c) }
        if code == SQLITE_OK { code = sqlite3_bind_int64(handle, 4, d) }
        if code == SQLITE_OK { code = sqlite3_step(handle) }
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
    }
}
