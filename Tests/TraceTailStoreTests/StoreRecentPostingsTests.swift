import Foundation
import GRDB
import Testing
import TraceTailCore
@testable import TraceTailStore

/// The trace index's newest rows wait in `recent_postings`, are written as packed sorted runs and
/// merged. Whatever the moment, a lookup finds every record of its trace.
@Suite("Store recent postings")
struct StoreRecentPostingsTests {
    /// 24 traces of random ids, 8 records a batch on each of three files, blocks of 256 bytes: a
    /// merge every few batches with a limit of 10 rows.
    static let traces: [TraceID] = (0..<24).map { _ in
        TraceID(String(format: "%016llx%016llx", UInt64.random(in: 1...UInt64.max), UInt64.random(in: 1...UInt64.max)))!
    }

    /// A merge slice's fixed width, a 16th of the key space: a merge takes 16 commits however
    /// loaded the machine is (the adapted width, from the time a slice takes, fell to a 256th
    /// under a parallel suite and a merge did not finish in the batches a test adds).
    static let sliceKeys: Int64 = (1 << 32) / 16

    static func batch(_ number: Int, file: Int, offset: Int64) -> [IndexedRecord] {
        (0..<8).map { i in
            let n = number * 8 + i
            return Sample.record(
                "file \(file) batch \(number) record \(i)", time: Sample.base + Int64(n) * 10 + Int64(file),
                offset: offset + Int64(i) * 40, trace: traces[(n * 7 + file * 5) % traces.count])
        }
    }

    /// Appends batch `number` to every file, and counts its records by trace in `expected`.
    static func add(
        _ number: Int, to store: SQLiteLogStore, _ files: inout [FileState], _ expected: inout [IDKey: Int]
    ) async throws {
        for file in files.indices {
            let records = batch(number, file: file, offset: files[file].offset)
            try await Sample.append(store, &files[file], records)
            for record in records { expected[record.trace!, default: 0] += 1 }
        }
    }

    static func count(_ trace: IDKey, in store: SQLiteLogStore) async throws -> Int {
        try await store.records(RecordQuery(key: trace, limit: 10_000)).records.count
    }

    static func sql<T: DatabaseValueConvertible>(_ path: String, _ query: String) throws -> T? {
        let queue = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        defer { try? queue.close() }
        return try queue.read { db in try T.fetchOne(db, sql: query) }
    }

    /// The pairs of each packed run of a partition, in the order of its pages.
    static func packedRuns(_ path: String, partition: Int64) throws -> [Int64: [(key: Int32, block: Int64)]] {
        let queue = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        defer { try? queue.close() }
        return try queue.read { db in
            var runs: [Int64: [(key: Int32, block: Int64)]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, data FROM runpages_\(partition) ORDER BY id") {
                let id: Int64 = row["id"]
                let pairs = try PostingPages.pairs(row["data"])
                // A page's id is its run and its last key.
                #expect(PostingPages.rowID(run: id >> 33, lastKey: try #require(pairs.last).key) == id)
                runs[id >> 33, default: []] += pairs
            }
            return runs
        }
    }

    @Test("A damaged trace index page: check names it, lookups still answer, commits and merges go on")
    func damagedPage() async throws {
        // Found by a review: a page that failed to decode failed every lookup whose key fell in
        // it, and the merge that reached it threw, rolling back every commit from then on.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("db.sqlite")
        let options = StoreOptions(blockBytes: 256, recentPostingsLimit: 10, mergeSliceKeys: Self.sliceKeys)
        let store = try SQLiteLogStore(path: path, options: options)
        defer { try? store.close() }
        var files = try await Sample.register(store, ["orchestrator-out.log", "agent-out.log", "api-out-1.log"])
        var expected: [IDKey: Int] = [:]
        for number in 0..<4 { try await Self.add(number, to: store, &files, &expected) }
        let partition = try #require(try await store.database.read { db in try Int64.fetchOne(db, sql: "SELECT min(id) FROM partitions") })
        // Bytes no writer makes: a varint longer than 64 bits.
        let damaged: Int64 = try #require(try await store.database.write { db in
            let id = try Int64.fetchOne(db, sql: "SELECT min(id) FROM runpages_\(partition)")
            try db.execute(sql: "UPDATE runpages_\(partition) SET data = ? WHERE id = ?", arguments: [Data(repeating: 0xFF, count: 12), id])
            return id
        })
        let problems = try await store.check()
        #expect(problems.contains { $0.contains("trace index page \(damaged) cannot be decoded") }, "\(problems)")
        var found = 0
        var partial = 0
        for trace in Self.traces {
            let page = try await store.records(RecordQuery(key: trace.key, limit: 10_000))
            found += page.records.count
            if page.unreadableBlocks > 0 { partial += 1 }
        }
        #expect(found > 0)
        // The traces whose key falls in the page get answers that say they are partial, and so
        // does the trace list that counts them.
        #expect(partial > 0)
        let list = try await store.traces(TraceListQuery(since: 0, limit: 100))
        #expect(list.unreadableBlocks > 0, "\(list.traces.count) traces listed")
        // Commits go on, through the merges that read the damaged run.
        for number in 4..<40 { try await Self.add(number, to: store, &files, &expected) }
        let left: Int64? = try await store.database.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM runpages_\(partition) WHERE id = ?", arguments: [damaged])
        }
        #expect(left == nil, "a merge went past the damaged page")
        #expect(try await store.check().isEmpty)
        // Records stored after it are all found.
        var late: [IDKey: Int] = [:]
        var scratch = files
        for number in 40..<42 { try await Self.add(number, to: store, &scratch, &late) }
        for (trace, count) in late { #expect(try await Self.count(trace, in: store) >= count) }
    }

    @Test("Lookups find every record before, across and after merges, and after the store is reopened")
    func mergesAndReopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("db.sqlite")
        let options = StoreOptions(blockBytes: 256, recentPostingsLimit: 10, mergeSliceKeys: Self.sliceKeys)
        var store = try SQLiteLogStore(path: path, options: options)
        var files = try await Sample.register(store, ["orchestrator-out.log", "agent-out.log", "api-out-1.log"])
        var expected: [IDKey: Int] = [:]
        var merges: Set<Int64> = []
        for number in 0..<30 {
            if number == 6 || number == 13 {
                // Reopened halfway: the rows not merged yet are found again from the table.
                try store.close()
                store = try SQLiteLogStore(path: path, options: options)
            }
            try await Self.add(number, to: store, &files, &expected)
            for (trace, count) in expected {
                #expect(try await Self.count(trace, in: store) == count, "trace \(trace) after batch \(number)")
            }
            let waiting: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM recent_postings"))
            #expect(waiting < 10 + 24 * 3)
            let through: String = try #require(try Self.sql(path, "SELECT value FROM meta WHERE key = 'postings_merged_through'"))
            merges.insert(Int64(through)!)
        }
        // Merges happened, each wrote a sorted run, and runs of level 0 were merged, slice by slice
        // over commits, into runs of level 1 (lookups above ran between slices); no row is in two
        // runs, and when no merge is under way the runs agree with what `posting_runs` says.
        #expect(merges.count > 16)
        let partition = Sample.base / Sample.day
        let runs = try Self.packedRuns(path, partition: partition)
        for (run, pairs) in runs {
            #expect(zip(pairs, pairs.dropFirst()).allSatisfy { $0.key < $1.key || ($0.key == $1.key && $0.block < $1.block) }, "run \(run) in order")
        }
        let merged = Int64(runs.values.map(\.count).reduce(0, +))
        let distinct = Int64(Set(runs.values.flatMap { $0.map { "\($0.key) \($0.block)" } }).count)
        #expect(merged > 0 && merged == distinct)
        let rowRuns: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM runs_\(partition)"))
        #expect(rowRuns == 0, "runs are written packed")
        let finished: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM posting_runs WHERE level = 1 AND next_key IS NULL"))
        #expect(finished >= 1)
        let levelZero: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM posting_runs WHERE level = 0"))
        #expect(levelZero < 8 + 2)
        let running: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM posting_runs WHERE next_key IS NOT NULL"))
        if running == 0 {
            let listed: Int64 = try #require(try Self.sql(path, "SELECT sum(rows) FROM posting_runs WHERE partition = \(partition)"))
            #expect(merged == listed)
        }

        // A reader in another process, with its own copy of the recent rows, finds the same.
        let reader = try SQLiteLogStore(path: path, access: .read, options: options)
        for (trace, count) in expected { #expect(try await Self.count(trace, in: reader) == count) }
        try reader.close()
        try store.close()
    }

    @Test("After a prune drops the day whose index rows wait, new rows are not given their ids: a warm reader finds them")
    func pruneKeepsIDsUnique() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteLogStore(path: directory.file("db.sqlite"), options: StoreOptions(blockBytes: 256))
        defer { try? store.close() }
        var files = try await Sample.register(store, ["orchestrator-out.log"])
        // Day 0: rows wait in recent_postings (no merge at the default limit); a lookup warms the copy.
        let old = Self.batch(0, file: 0, offset: files[0].offset)
        try await Sample.append(store, &files[0], old, storedAt: Sample.base)
        #expect(try await Self.count(old[0].trace!, in: store) > 0)
        // Day 0 is dropped whole, its waiting rows with it; nothing else is stored yet.
        let report = try await store.prune(RetentionPolicy(maxAge: Sample.day), now: Sample.base + 3 * Sample.day)
        #expect(report.partitionsDropped == 1)
        // Day 3: new records under new traces; the same store (its copy warm) must find them.
        let trace = IDKey(kind: .trace, high: 0xABCD_0000_0000_0001, low: 2)
        var fresh: [IndexedRecord] = []
        for i in 0..<5 {
            var record = Sample.record("after the prune \(i)", time: Sample.base + 3 * Sample.day + Int64(i), offset: files[0].offset + Int64(i) * 40)
            record.trace = trace
            fresh.append(record)
        }
        try await Sample.append(store, &files[0], fresh, storedAt: Sample.base + 3 * Sample.day)
        #expect(try await Self.count(trace, in: store) == 5)
    }

    @Test("SQLite's fold of a key (no XOR in its SQL) equals IDKey.fold for edge and random values")
    func foldInSQL() throws {
        let queue = try DatabaseQueue()
        var values: [Int64] = [0, 1, -1, .min, .max, 0x0000_0001_0000_0002, -0x0000_0001_0000_0002, 0x7FFF_FFFF, 0x8000_0000, -0x8000_0000]
        for _ in 0..<2000 { values.append(Int64.random(in: .min ... .max)) }
        try queue.read { db in
            for value in values {
                let folded = try Int64.fetchOne(
                    db, sql: "WITH v(key) AS (VALUES (?)) SELECT \(SQLiteLogStore.foldSQL("key")) FROM v", arguments: [value])
                #expect(folded == Int64(IDKey.fold(value)), "fold of \(value)")
            }
        }
    }

    @Test("Two traces whose keys fold to the same 32 bits in a run each get only their own records")
    func foldedKeysShared() async throws {
        let first = IDKey(kind: .trace, high: 0x0000_0001_0000_0002, low: 7)
        let second = IDKey(kind: .trace, high: 0x0000_0002_0000_0001, low: 9)
        #expect(first.foldedIndexValue == second.foldedIndexValue && first.indexValue != second.indexValue)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("db.sqlite")
        let store = try SQLiteLogStore(path: path, options: StoreOptions(blockBytes: 256, recentPostingsLimit: 2))
        defer { try? store.close() }
        var files = try await Sample.register(store, ["orchestrator-out.log", "agent-out.log"])
        for file in files.indices {
            var records: [IndexedRecord] = []
            for i in 0..<12 {
                var record = Sample.record(
                    "file \(file) record \(i)", time: Sample.base + Int64(i), offset: files[file].offset + Int64(i) * 40)
                record.trace = i % 3 == 0 ? second : first
                records.append(record)
            }
            try await Sample.append(store, &files[file], records)
        }
        let waiting: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM recent_postings"))
        #expect(waiting == 0, "every index row is in a run")
        let firstPage = try await store.records(RecordQuery(key: first, limit: 100)).records
        let secondPage = try await store.records(RecordQuery(key: second, limit: 100)).records
        #expect(firstPage.count == 16 && firstPage.allSatisfy { $0.record.trace == first })
        #expect(secondPage.count == 8 && secondPage.allSatisfy { $0.record.trace == second })
    }

    @Test("A store made before sorted runs keeps its index in postings_<p>, and lookups still read it")
    func legacyPostings() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("db.sqlite")
        var store = try SQLiteLogStore(path: path, options: StoreOptions(blockBytes: 256))
        var files = try await Sample.register(store, ["orchestrator-out.log"])
        var expected: [IDKey: Int] = [:]
        for number in 0..<4 { try await Self.add(number, to: store, &files, &expected) }
        // The index as an older build left it: every row in the partition's one B-tree. (Done
        // before the store closes: closing writes the recent rows as a run.)
        let partition = Sample.base / Sample.day
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO postings_\(partition) (key, block) SELECT key, block FROM recent_postings")
            try db.execute(sql: "DELETE FROM recent_postings")
        }
        try queue.close()
        try store.close()
        let packed: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM posting_runs"))
        #expect(packed == 0, "the index must be in postings_<p> only")
        store = try SQLiteLogStore(path: path, options: StoreOptions(blockBytes: 256))
        defer { try? store.close() }
        for (trace, count) in expected { #expect(try await Self.count(trace, in: store) == count) }
        let list = try await store.traces(TraceListQuery(limit: 100))
        #expect(Dictionary(uniqueKeysWithValues: list.traces.map { ($0.trace, $0.records) }) == expected)
    }

    @Test("Merges of runs many pages long: every pair moves once, page by page, and lookups between slices find every record")
    func multiPageMerges() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("db.sqlite")
        // 1,500 rows a run is about five pages; eight runs start a merge.
        let options = StoreOptions(blockBytes: 256, recentPostingsLimit: 1_500, mergeSliceKeys: Self.sliceKeys)
        let store = try SQLiteLogStore(path: path, options: options)
        defer { try? store.close() }
        var files = try await Sample.register(store, ["orchestrator-out.log", "agent-out.log", "api-out-1.log"])
        let traces: [TraceID] = (0..<3_000).map { _ in
            TraceID(String(format: "%016llx%016llx", UInt64.random(in: 1...UInt64.max), UInt64.random(in: 1...UInt64.max)))!
        }
        var expected: [IDKey: Int] = [:]
        var sawMerge = false
        var sawManyPages = false
        let partition = Sample.base / Sample.day
        for number in 0..<60 {
            for file in files.indices {
                let records = (0..<100).map { i in
                    let n = (number * 3 + file) * 100 + i
                    return Sample.record(
                        "record \(n)", time: Sample.base + Int64(n), offset: files[file].offset + Int64(i) * 40,
                        trace: traces[(n &* 2_654_435_761) % traces.count])
                }
                try await Sample.append(store, &files[file], records)
                for record in records { expected[record.trace!, default: 0] += 1 }
            }
            let running: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM posting_runs WHERE next_key IS NOT NULL"))
            if running > 0 {
                sawMerge = true
                // Between slices: a sample of traces, every record.
                for trace in expected.keys.prefix(200) { #expect(try await Self.count(trace, in: store) == expected[trace]) }
            }
            let runs = try Self.packedRuns(path, partition: partition)
            let pagesPerRun: Int64 = try #require(try Self.sql(path, "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM runpages_\(partition) GROUP BY id >> 33)"))
            if pagesPerRun >= 4 { sawManyPages = true }
            let all = runs.values.flatMap { $0.map { "\($0.key) \($0.block)" } }
            #expect(all.count == Set(all).count, "a pair in two runs after batch \(number)")
            let listed: Int64 = try #require(try Self.sql(path, "SELECT coalesce(sum(rows), 0) FROM posting_runs WHERE partition = \(partition) AND next_key IS NULL AND level >= 0"))
            let inListed = runs.filter { run, _ in (try? Self.sql(path, "SELECT level FROM posting_runs WHERE run = \(run) AND next_key IS NULL AND level >= 0") as Int64?) != nil }
            #expect(Int64(inListed.values.map(\.count).reduce(0, +)) == listed, "finished runs hold what posting_runs says")
        }
        #expect(sawMerge && sawManyPages)
        let finished: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM posting_runs WHERE level = 1 AND next_key IS NULL"))
        #expect(finished >= 1)
        for (trace, count) in expected { #expect(try await Self.count(trace, in: store) == count) }
    }

    @Test("Row runs of a build before packed runs are still read, their merge under way is finished, and new runs are packed")
    func legacyRowRuns() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("db.sqlite")
        let options = StoreOptions(blockBytes: 256, recentPostingsLimit: 10, mergeSliceKeys: Self.sliceKeys)
        var store = try SQLiteLogStore(path: path, options: options)
        var files = try await Sample.register(store, ["orchestrator-out.log", "agent-out.log", "api-out-1.log"])
        var expected: [IDKey: Int] = [:]
        for number in 0..<12 { try await Self.add(number, to: store, &files, &expected) }
        // Closed first: closing writes the waiting rows as a (packed) run, converted below too.
        try store.close()
        // The store as the build before left it: every run one row per pair in runs_<p>, no
        // pages table, no `packed` column, migration v5 not applied; with a merge of row runs
        // under way (the one running, or one started here) and a level-0 row run outside it.
        let partition = Sample.base / Sample.day
        let queue = try DatabaseQueue(path: path)
        let outside: Int64 = try await queue.write { db in
            for row in try Row.fetchAll(db, sql: "SELECT id, data FROM runpages_\(partition)") {
                let id: Int64 = row["id"]
                for pair in try PostingPages.pairs(row["data"]) {
                    try db.execute(
                        sql: "INSERT INTO runs_\(partition) (run, key, block) VALUES (?, ?, ?)", arguments: [id >> 33, pair.key, pair.block])
                }
            }
            try db.execute(sql: "DROP TABLE runpages_\(partition)")
            try db.execute(sql: "ALTER TABLE posting_runs DROP COLUMN packed")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5-packed-runs'")
            let levelZero = try Int64.fetchAll(db, sql: "SELECT run FROM posting_runs WHERE level = 0 ORDER BY run")
            if try Int64.fetchOne(db, sql: "SELECT count(*) FROM posting_runs WHERE next_key IS NOT NULL") == 0 {
                #expect(levelZero.count >= 3)
                try db.execute(sql: "UPDATE posting_runs SET level = -1 WHERE level = 0 AND run < ?", arguments: [levelZero.last ?? 0])
                try db.execute(
                    sql: "INSERT INTO posting_runs (partition, run, level, rows, next_key) VALUES (?, ?, 1, 0, ?)",
                    arguments: [partition, SQLiteLogStore.levelOneRunBase + 100, Int64(Int32.min)])
            }
            return try #require(try Int64.fetchOne(db, sql: "SELECT max(run) FROM posting_runs WHERE level = 0"), "a level-0 run outside the merge")
        }
        try queue.close()
        let rowRuns: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM runs_\(partition)"))
        #expect(rowRuns > 0)
        store = try SQLiteLogStore(path: path, options: options)
        defer { try? store.close() }
        for (trace, count) in expected { #expect(try await Self.count(trace, in: store) == count, "trace \(trace) in row runs") }
        for number in 12..<40 {
            try await Self.add(number, to: store, &files, &expected)
            for (trace, count) in expected { #expect(try await Self.count(trace, in: store) == count, "trace \(trace) after batch \(number)") }
        }
        let legacyMerging: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM posting_runs WHERE packed = 0 AND level <> 0 AND next_key IS NOT NULL"))
        let legacySources: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM posting_runs WHERE packed = 0 AND level = -1"))
        #expect(legacyMerging == 0 && legacySources == 0, "the merge of row runs finishes")
        let packedRuns: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM posting_runs WHERE packed = 1"))
        #expect(packedRuns > 0)
        let rowsLeft: Int64 = try #require(try Self.sql(path, "SELECT count(*) FROM runs_\(partition)"))
        #expect(rowsLeft > 0, "row runs stay, and are read")
        // The level-0 row run is never taken into a merge of packed runs.
        let outsideLevel: Int64? = try Self.sql(path, "SELECT level FROM posting_runs WHERE run = \(outside) AND packed = 0")
        #expect(outsideLevel == 0)
    }

    @Test("A reader whose snapshot is older than a merge its store's copy has seen still finds every record")
    func snapshotOlderThanMerge() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("db.sqlite")
        let store = try SQLiteLogStore(path: path, options: StoreOptions(blockBytes: 256, recentPostingsLimit: 30))
        defer { try? store.close() }
        var files = try await Sample.register(store, ["orchestrator-out.log"])
        var expected: [IDKey: Int] = [:]
        func add(_ number: Int) async throws { try await Self.add(number, to: store, &files, &expected) }
        try await add(0)
        let before: String? = try Self.sql(path, "SELECT value FROM meta WHERE key = 'postings_merged_through'")
        // A snapshot taken now, before the merge.
        let pool = try DatabasePool(path: path)
        defer { try? pool.close() }
        let snapshot = try pool.makeSnapshot()
        let seen = expected
        for number in 1..<8 { try await add(number) }
        let after: String? = try Self.sql(path, "SELECT value FROM meta WHERE key = 'postings_merged_through'")
        #expect(before != after, "the appends after the snapshot must merge")
        // The store's copy follows the newest merge...
        for (trace, count) in expected { #expect(try await Self.count(trace, in: store) == count) }
        // ...and a lookup in the old snapshot still finds what that snapshot holds.
        for (trace, count) in seen {
            let found = try await snapshot.read { db in try store.records(RecordQuery(key: trace, limit: 10_000), db).records.count }
            #expect(found == count, "trace \(trace) in the old snapshot")
        }
    }

    @Test("The in-memory copy finds every row through its sorted part and its unsorted tail")
    func copyMergesRuns() {
        var state = RecentPostings.State()
        var truth: [Int64: [Int64: Set<Int64>]] = [:]
        var generator = SystemRandomNumberGenerator()
        var block: Int64 = 0
        // Uneven runs, as commits bring them: the tail is merged into the sorted part many times.
        for run in 0..<60 {
            var entries: [RecentPostings.Entry] = []
            for _ in 0..<(run % 7 == 0 ? 900 : 137) {
                block += 1
                let entry = RecentPostings.Entry(
                    key: Int64(generator.next() % 500), partition: Int64(generator.next() % 2), block: block)
                entries.append(entry)
                truth[entry.partition, default: [:]][entry.key, default: []].insert(entry.block)
            }
            state.add(entries)
        }
        #expect(!state.sorted.isEmpty && !state.tail.isEmpty)
        #expect(state.sorted == state.sorted.sorted())
        for partition in [Int64(0), 1] {
            for key in Int64(0)..<500 {
                #expect(Set(state.blocks(partition: partition, keys: [key])) == truth[partition]?[key] ?? [])
            }
            #expect(Set(state.blocks(partition: partition, keys: [3, 7])) == (truth[partition]?[3] ?? []).union(truth[partition]?[7] ?? []))
        }
    }
}
