import Foundation
import GRDB
import Testing
import TraceTailCore
import TraceTailStore

/// Damage on disk and readers of different ages: the store answers what it can, says what it
/// could not, and never stops ingesting.
@Suite("Store damage and snapshots", .serialized)
struct StoreDamageTests {
    static let spanB = SpanID("b7ad6b7169203331")!

    /// Overwrites a block's compressed bytes through a connection of the test's own.
    static func damage(_ path: String, partition: Int64, block: Int64) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "UPDATE blocks_\(partition) SET data = zeroblob(length(data)) WHERE id = ?", arguments: [block])
            #expect(db.changesCount == 1)
        }
        try queue.close()
    }

    static func openBlock(_ path: String, file: Int64) throws -> (partition: Int64, block: Int64) {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        let row = try #require(try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT partition, block FROM open_blocks WHERE file_id = ?", arguments: [file])
        })
        return (row["partition"], row["block"])
    }

    static func otherBlock(_ path: String, partition: Int64, file: Int64, not block: Int64) throws -> Int64? {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM blocks_\(partition) WHERE file_id = ? AND id != ?", arguments: [file, block])
        }
    }

    /// A lookup through a snapshot taken earlier (an older reader).
    static func records(_ store: SQLiteLogStore, _ query: RecordQuery, in snapshot: DatabaseSnapshot) throws -> RecordPage {
        try snapshot.read { db in try store.records(query, db) }
    }

    static func texts(_ page: RecordPage) -> [String] {
        page.records.map { String(decoding: $0.record.raw, as: UTF8.self) }
    }

    @Test("A damaged open block is set aside: its file goes on in a new block, other files never wait")
    func damagedOpenBlock() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("db.sqlite")
        var store = try SQLiteLogStore(path: path)
        var files = try await Sample.register(store, ["a-out.log", "b-out.log"])
        try await Sample.append(store, &files[0], [
            Sample.record("a0", time: Sample.base, offset: 0, trace: Sample.traceA),
            Sample.record("a1", time: Sample.base + 1, offset: 3, trace: Sample.traceA),
        ])
        try await Sample.append(store, &files[1], [Sample.record("b0", time: Sample.base + 2, offset: 0, trace: Sample.traceB)])
        try store.close()
        let open = try Self.openBlock(path, file: files[0].id)
        try Self.damage(path, partition: open.partition, block: open.block)

        // A new process: the damaged block is where file a's next records would go.
        store = try SQLiteLogStore(path: path)
        try await Sample.append(store, &files[0], [
            Sample.record("a2", time: Sample.base + 3, offset: 6, trace: Sample.traceA),
            Sample.record("a3", time: Sample.base + 4, offset: 9, trace: Sample.traceA),
        ])
        try await Sample.append(store, &files[1], [Sample.record("b1", time: Sample.base + 5, offset: 3, trace: Sample.traceB)])
        try await Sample.append(store, &files[0], [Sample.record("a4", time: Sample.base + 6, offset: 12, trace: Sample.traceA)])
        #expect(store.blocksSetAside == 1)
        let a = try await store.records(RecordQuery(key: Sample.traceA.key))
        #expect(Self.texts(a) == ["a2", "a3", "a4"])
        #expect(a.unreadableBlocks == 1)
        let b = try await store.records(RecordQuery(key: Sample.traceB.key))
        #expect(Self.texts(b) == ["b0", "b1"])
        #expect(b.unreadableBlocks == 0)
        #expect(try await store.files().map(\.offset) == [files[0].offset, files[1].offset])
        // The damaged block is left for `stats --check`.
        let problems = try await store.check()
        #expect(problems.count == 1)
        #expect(problems.first?.contains("block \(open.block) cannot be decoded") == true, "\(problems)")
        try store.close()
    }

    @Test("A damaged sealed block: lookups and the trace list answer the rest and count it")
    func damagedSealedBlock() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("db.sqlite")
        var store = try SQLiteLogStore(path: path, options: StoreOptions(blockBytes: 64))
        var files = try await Sample.register(store, ["a-out.log", "b-out.log"])
        // File a: a first block sealed when full, then a second one.
        let long = String(repeating: "x", count: 60)
        try await Sample.append(store, &files[0], [
            Sample.record("a0 " + long, time: Sample.base, offset: 0, trace: Sample.traceA),
            Sample.record("a1 " + long, time: Sample.base + 1, offset: 100, trace: Sample.traceA, span: Self.spanB),
        ])
        try await Sample.append(store, &files[1], [Sample.record("b0", time: Sample.base + 2, offset: 0, trace: Sample.traceA)])
        try store.close()
        let open = try Self.openBlock(path, file: files[0].id)
        let sealed = try Self.otherBlock(path, partition: open.partition, file: files[0].id, not: open.block)
        try Self.damage(path, partition: open.partition, block: try #require(sealed))

        store = try SQLiteLogStore(path: path)
        let page = try await store.records(RecordQuery(key: Sample.traceA.key))
        #expect(Self.texts(page) == ["a1 " + long, "b0"])
        #expect(page.unreadableBlocks == 1)
        let list = try await store.traces(TraceListQuery())
        #expect(list.traces.map(\.records) == [2])
        #expect(list.unreadableBlocks == 1)
        try store.close()
    }

    @Test("Two readers straddling a commit: the older snapshot never drops a block the newer one cached")
    func filterCacheSnapshots() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("db.sqlite")
        let store = try SQLiteLogStore(path: path, options: StoreOptions(blockBytes: 64))
        var files = try await Sample.register(store, ["a-out.log"])
        let long = String(repeating: "x", count: 60)
        try await Sample.append(store, &files[0], [Sample.record("a0", time: Sample.base, offset: 0, span: Sample.spanA)])
        // A reader whose snapshot is taken now: one block, still open.
        let old = try DatabasePool(path: path)
        do {
            let snapshot = try old.makeSnapshot()
            // The commit: the first block is sealed, a second one holds span B.
            try await Sample.append(store, &files[0], [Sample.record("a1 " + long, time: Sample.base + 1, offset: 3, span: Self.spanB)])
            #expect(Self.texts(try await store.records(RecordQuery(key: Self.spanB.key))) == ["a1 " + long])
            // The older reader looks up any span: its snapshot does not have the second block.
            let before = try Self.records(store, RecordQuery(key: Sample.spanA.key), in: snapshot)
            #expect(Self.texts(before) == ["a0"])
        }
        // The newer block is still found.
        #expect(Self.texts(try await store.records(RecordQuery(key: Self.spanB.key))) == ["a1 " + long])
        #expect(Self.texts(try await store.records(RecordQuery(key: Sample.spanA.key))) == ["a0"])
        try old.close()
        try store.close()
    }
}
