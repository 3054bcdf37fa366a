import Foundation
import GRDB
import Testing
import TraceTailCore
import TraceTailStore

@Suite("Store lookups")
struct StoreLookupTests {
    @Test("A trace's records come back from every file, in time order, each once")
    func traceAcrossFiles() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"))
        var files = try await Sample.register(store, ["orchestrator-out.log", "agent-error.log", "api-out-3.log"])
        try await Sample.append(store, &files[0], [
            Sample.record("o1", time: Sample.base + 10, offset: 0, trace: Sample.traceA),
            Sample.record("noise", time: Sample.base + 11, offset: 3, trace: Sample.traceB),
            Sample.record("o2", time: Sample.base + 40, offset: 9, trace: Sample.traceA),
        ])
        try await Sample.append(store, &files[1], [
            Sample.record("a1", time: Sample.base + 20, offset: 0, trace: Sample.traceA, level: .error),
        ])
        try await Sample.append(store, &files[2], [
            Sample.record("c1", time: Sample.base + 30, offset: 0, trace: Sample.traceA),
            Sample.record("c2-untraced", time: Sample.base + 31, offset: 3),
        ])
        let page = try await store.records(RecordQuery(key: Sample.traceA.key))
        #expect(page.records.map { String(decoding: $0.record.raw, as: UTF8.self) } == ["o1", "a1", "c1", "o2"])
        #expect(page.records.map(\.file.path) == ["orchestrator-out.log", "agent-error.log", "api-out-3.log", "orchestrator-out.log"])
        #expect(page.records[2].file.instance == 3)
        #expect(!page.truncated)

        // The same 128 bits spelled without dashes in upper case find the same records.
        let upper = TraceID("EC339C58031B4A04A76E2FC5FBCAEBF5")!
        #expect(try await store.records(RecordQuery(key: upper.key)).records.count == 4)
        #expect(try await store.records(RecordQuery(key: TraceID("0123456789abcdef0123456789abcdef")!.key)).records.isEmpty)
        try store.close()
    }

    @Test("A new store has 2 KiB pages; a store made with 4 KiB pages keeps them and its records")
    func pageSize() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        func pageSize(_ path: String) throws -> Int {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0 }
        }
        let fresh = dir.file("new.sqlite")
        let store = try SQLiteLogStore(path: fresh)
        try store.close()
        #expect(try pageSize(fresh) == 2048)

        // A store as made before: its records written, then the file rebuilt with 4 KiB pages.
        let old = dir.file("old.sqlite")
        var older = try SQLiteLogStore(path: old)
        var files = try await Sample.register(older, ["a-out.log"])
        try await Sample.append(older, &files[0], [
            Sample.record("a0", time: Sample.base, offset: 0, trace: Sample.traceA),
            Sample.record("a1", time: Sample.base + 1, offset: 3, trace: Sample.traceA),
        ])
        try older.close()
        let queue = try DatabaseQueue(path: old)
        try await queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM") }
        try queue.close()
        #expect(try pageSize(old) == 4096)
        older = try SQLiteLogStore(path: old)
        defer { try? older.close() }
        #expect(try pageSize(old) == 4096)
        let page = try await older.records(RecordQuery(key: Sample.traceA.key))
        #expect(page.records.map { String(decoding: $0.record.raw, as: UTF8.self) } == ["a0", "a1"])
    }

    @Test("Filters, descending order and cursor paging")
    func filtersAndPaging() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"))
        var files = try await Sample.register(store, ["a-out.log", "b-error.log"])
        var first: [IndexedRecord] = []
        for i in 0..<50 {
            first.append(Sample.record("a\(i)", time: Sample.base + Int64(i) * 2, offset: Int64(i) * 10, trace: Sample.traceA,
                                       span: i % 5 == 0 ? Sample.spanA : nil, level: i % 10 == 0 ? .warn : .info))
        }
        try await Sample.append(store, &files[0], first)
        try await Sample.append(store, &files[1], (0..<50).map {
            Sample.record("b\($0)", time: Sample.base + Int64($0) * 2 + 1, offset: Int64($0) * 10, trace: Sample.traceA, level: nil)
        })
        // Pages of 30 walk all 100 records in order with no repeats.
        var seen: [String] = []
        var cursor: TraceTailCore.RecordCursor?
        repeat {
            let page = try await store.records(RecordQuery(key: Sample.traceA.key, limit: 30, after: cursor))
            seen += page.records.map { String(decoding: $0.record.raw, as: UTF8.self) }
            cursor = page.next
        } while cursor != nil
        #expect(seen.count == 100)
        #expect(Set(seen).count == 100)
        #expect(seen.prefix(3) == ["a0", "b0", "a1"])

        let warn = try await store.records(RecordQuery(key: Sample.traceA.key, minimumLevel: .warn))
        // a0, a10, ... (5 warnings) plus the 50 level-less records of the error file.
        #expect(warn.records.count == 55)
        let apps = try await store.records(RecordQuery(key: Sample.traceA.key, apps: ["a"]))
        #expect(apps.records.count == 50)
        let span = try await store.records(RecordQuery(key: Sample.traceA.key, span: Sample.spanA.key))
        #expect(span.records.count == 10)
        let window = try await store.records(RecordQuery(key: Sample.traceA.key, since: Sample.base + 10, until: Sample.base + 19))
        #expect(window.records.map(\.record.time) == Array((Sample.base + 10)...(Sample.base + 19)))
        let descending = try await store.records(RecordQuery(key: Sample.traceA.key, limit: 2, order: .descending))
        #expect(descending.records.map { String(decoding: $0.record.raw, as: UTF8.self) } == ["b49", "a49"])
        let bySpan = try await store.records(RecordQuery(key: Sample.spanA.key))
        #expect(bySpan.records.count == 10)
        try store.close()
    }

    @Test("Small appends fill one block; a reopened store goes on filling it")
    func openBlockAcrossRestart() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var store = try SQLiteLogStore(path: dir.file("db.sqlite"))
        var files = try await Sample.register(store, ["a-out.log"])
        for i in 0..<20 {
            try await Sample.append(store, &files[0], [Sample.record("line \(i)", time: Sample.base + Int64(i), offset: Int64(i) * 10, trace: Sample.traceA)])
        }
        #expect(try await store.statistics().blocks == 1)
        try store.close()
        store = try SQLiteLogStore(path: dir.file("db.sqlite"))
        files = try await store.files()
        for i in 20..<30 {
            try await Sample.append(store, &files[0], [Sample.record("line \(i)", time: Sample.base + Int64(i), offset: Int64(i) * 10, trace: Sample.traceB)])
        }
        let stats = try await store.statistics()
        #expect(stats.blocks == 1)
        #expect(stats.records == 30)
        #expect(try await store.records(RecordQuery(key: Sample.traceA.key)).records.count == 20)
        #expect(try await store.records(RecordQuery(key: Sample.traceB.key)).records.count == 10)
        #expect(try await store.files().first?.offset == 29 * 10 + Int64("line 29".utf8.count) + 1)
        try store.close()
    }

    @Test("Blocks seal at the configured size and compress")
    func blocksSeal() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"), options: StoreOptions(blockBytes: 4096))
        var files = try await Sample.register(store, ["a-out.log"])
        let line = #"{"level":30,"time":1782986400000,"pid":4242,"hostname":"web-1","trace_id":"ec339c58-031b-4a04-a76e-2fc5fbcaebf5","msg":"work item processed"}"#
        var records: [IndexedRecord] = []
        for i in 0..<1000 {
            records.append(Sample.record(line, time: Sample.base + Int64(i), offset: Int64(i * (line.utf8.count + 1)), trace: Sample.traceA))
        }
        try await Sample.append(store, &files[0], records)
        let stats = try await store.statistics()
        #expect(stats.records == 1000)
        #expect(stats.blocks >= Int64(1000 * line.utf8.count / 4096))
        #expect(stats.storedBytes * 5 < stats.rawBytes)
        let page = try await store.records(RecordQuery(key: Sample.traceA.key, limit: 10_000))
        #expect(page.records.count == 1000)
        #expect(page.records.allSatisfy { $0.record.raw == Array(line.utf8) })
        try store.close()
    }
}

/// Pages are made in the store: the blocks of a page are decoded, not the whole trace's.
@Suite("Paging in the store")
struct StorePagingTests {
    /// Three files, one record of the trace per block (tiny blocks), times interleaved across the
    /// files; returns the store's path and every record's text in time order.
    static func interleaved(_ dir: TemporaryDirectory, count: Int = 60) async throws -> (path: String, texts: [String]) {
        let path = dir.file("db.sqlite")
        let store = try SQLiteLogStore(path: path, options: StoreOptions(blockBytes: 16))
        var files = try await Sample.register(store, ["a-out.log", "b-out.log", "c-out.log"])
        var texts: [String] = []
        for i in 0..<count {
            let text = "record \(i) " + String(repeating: "y", count: 20)
            // Equal times in pairs: the cursor's file and offset order them.
            try await Sample.append(store, &files[i % 3], [
                Sample.record(text, time: Sample.base + Int64(i / 2), offset: Int64(i / 3) * 100, trace: Sample.traceA),
            ])
            texts.append(text)
        }
        try store.close()
        return (path, texts)
    }

    @Test("Paging forwards and backwards through a trace of many blocks gives every record once, in order")
    func pages() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (path, _) = try await Self.interleaved(dir)
        let store = try SQLiteLogStore(path: path)
        let whole = try await store.records(RecordQuery(key: Sample.traceA.key, limit: 1000))
        #expect(whole.records.count == 60)
        #expect(whole.records.map(\.cursor) == whole.records.map(\.cursor).sorted())
        for order in [RecordQuery.Order.ascending, .descending] {
            for limit in [1, 7, 59, 60] {
                var seen: [TraceTailCore.RecordCursor] = []
                var cursor: TraceTailCore.RecordCursor?
                repeat {
                    let page = try await store.records(RecordQuery(key: Sample.traceA.key, limit: limit, after: cursor, order: order))
                    #expect(page.records.count <= limit)
                    seen += page.records.map(\.cursor)
                    cursor = page.next
                } while cursor != nil
                let expected = whole.records.map(\.cursor)
                #expect(seen == (order == .ascending ? expected : expected.reversed()), "\(order) limit \(limit)")
            }
        }
        try store.close()
    }

    @Test("A page stops at the blocks it needs: a damaged block after it does not make it partial")
    func stopsEarly() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (path, _) = try await Self.interleaved(dir)
        let whole = try SQLiteLogStore(path: path)
        let expected = try await whole.records(RecordQuery(key: Sample.traceA.key, limit: 10)).records.map(\.cursor)
        try whole.close()
        // Damage the block of the trace's last record.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            let partition = try #require(try Int64.fetchOne(db, sql: "SELECT id FROM partitions"))
            try db.execute(sql: """
                UPDATE blocks_\(partition) SET data = zeroblob(length(data))
                WHERE id = (SELECT id FROM blocks_\(partition) ORDER BY max_time DESC, id DESC LIMIT 1)
                """)
            #expect(db.changesCount == 1)
        }
        try queue.close()
        let store = try SQLiteLogStore(path: path)
        let first = try await store.records(RecordQuery(key: Sample.traceA.key, limit: 10))
        #expect(first.records.map(\.cursor) == expected)
        #expect(first.unreadableBlocks == 0, "the damaged block lies beyond the first page and is not read")
        let last = try await store.records(RecordQuery(key: Sample.traceA.key, limit: 10, order: .descending))
        #expect(last.unreadableBlocks == 1)
        #expect(last.records.count == 10)
        try store.close()
    }
}

/// The store as a shipper's source.
@Suite("Shipping ledger")
struct ShippingLedgerTests {
    @Test("Ledger rows whose block is gone do not use up a batch: the blocks after them still ship")
    func orphansDoNotStall() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("db.sqlite")
        var store = try SQLiteLogStore(path: path, options: StoreOptions(blockBytes: 16))
        var files = try await Sample.register(store, ["a-out.log"])
        for i in 0..<3 {
            try await Sample.append(store, &files[0], [
                Sample.record("record \(i) " + String(repeating: "z", count: 20), time: Sample.base + Int64(i), offset: Int64(i) * 100, trace: Sample.traceA),
            ])
        }
        try store.close()
        // More ledger rows than a batch holds, for blocks that do not exist, sorted before the
        // real ones (as rows left by blocks deleted to free space would be).
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            let partition = try #require(try Int64.fetchOne(db, sql: "SELECT id FROM partitions"))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM shipping WHERE records > shipped") == 3)
            for block in 1...100 {
                try db.execute(
                    sql: "INSERT INTO shipping (partition, block, records, shipped, bytes, since) VALUES (?, ?, 1, 0, 10, 0)",
                    arguments: [partition, -block])
            }
        }
        try queue.close()
        store = try SQLiteLogStore(path: path)
        let blocks = try await store.unshippedBlocks(limit: 64, maxBytes: 4 << 20)
        #expect(blocks.count == 3)
        #expect(blocks.map(\.records) == [1, 1, 1])
        try store.close()
    }

    @Test("A store that shipped still says so after every shipped block is pruned")
    func hasShippedOutlivesPruning() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"), options: StoreOptions(blockBytes: 16))
        var files = try await Sample.register(store, ["a-out.log"])
        try await Sample.append(store, &files[0], [
            Sample.record("record " + String(repeating: "z", count: 20), time: Sample.base, offset: 0, trace: Sample.traceA),
        ], storedAt: Sample.base)
        #expect(try await store.hasShipped() == false)
        let blocks = try await store.unshippedBlocks(limit: 64, maxBytes: 4 << 20)
        try await store.acknowledge(blocks.map { ShipmentAcknowledgement(partition: $0.partition, block: $0.block, records: $0.records) })
        #expect(try await store.hasShipped())
        // Every block (and with them the ledger's rows) goes by age.
        let report = try await store.prune(RetentionPolicy(maxAge: Sample.day), now: Sample.base + 3 * Sample.day)
        #expect(report.recordsDeleted == 1)
        #expect(try await store.shippingBacklog() == ShippingBacklog())
        #expect(try await store.hasShipped(), "remembered though the ledger is empty")
        try store.close()
    }
}
