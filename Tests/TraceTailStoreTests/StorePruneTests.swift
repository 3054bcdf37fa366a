import Foundation
import Testing
import TraceTailCore
import TraceTailStore

@Suite("Store retention")
struct StorePruneTests {
    /// Seven days of records, 200 a day, in one file.
    func sevenDays(_ store: SQLiteLogStore) async throws {
        var files = try await Sample.register(store, ["a-out.log"])
        var offset: Int64 = 0
        for day in 0..<7 {
            var records: [IndexedRecord] = []
            for i in 0..<200 {
                let record = Sample.record(
                    "day \(day) record \(i) " + String(repeating: "x", count: 200), time: Sample.base + Int64(day) * Sample.day + Int64(i) * 1000,
                    offset: offset, trace: day == 0 ? Sample.traceA : Sample.traceB)
                offset = record.endOffset
                records.append(record)
            }
            try await Sample.append(store, &files[0], records)
        }
    }

    @Test("Age: whole days older than max_age are dropped, newer ones stay")
    func byAge() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"), options: StoreOptions(blockBytes: 8192))
        try await sevenDays(store)
        #expect(try await store.statistics().partitions == 7)
        let now = Sample.base + 7 * Sample.day
        // Keep 6.5 days: day 0 goes whole.
        let report = try await store.prune(RetentionPolicy(maxAge: 6 * Sample.day + Sample.day / 2), now: now)
        #expect(report.partitionsDropped == 1)
        #expect(report.recordsDeleted == 200)
        let stats = try await store.statistics()
        #expect(stats.records == 1200)
        #expect(stats.partitions == 6)
        #expect(try await store.records(RecordQuery(key: Sample.traceA.key)).records.isEmpty)
        #expect(try await store.records(RecordQuery(key: Sample.traceB.key, limit: 10_000)).records.count == 1200)
        // Nothing older than the cut-off is left, and pruning again does nothing.
        #expect(stats.oldestTime! >= now - (6 * Sample.day + Sample.day / 2) - Sample.day)
        #expect(try await store.prune(RetentionPolicy(maxAge: 6 * Sample.day + Sample.day / 2), now: now).recordsDeleted == 0)
        try store.close()
    }

    @Test("Size within one day: the oldest blocks go until the store fits; the open block stays")
    func bySizeWithinADay() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"), options: StoreOptions(blockBytes: 4096))
        var files = try await Sample.register(store, ["a-out.log"])
        var records: [IndexedRecord] = []
        var offset: Int64 = 0
        for i in 0..<2000 {
            // Random-looking text, so blocks do not compress to nothing.
            let noise = (0..<8).map { String(UInt64(truncatingIfNeeded: (i + 1) * 2_654_435_761 * ($0 + 7)), radix: 36) }.joined()
            let record = Sample.record("record \(i) \(noise)", time: Sample.base + Int64(i), offset: offset, trace: Sample.traceA)
            offset = record.endOffset
            records.append(record)
        }
        try await Sample.append(store, &files[0], records)
        let before = try await store.statistics()
        #expect(before.partitions == 1)
        let budget = before.storedBytes / 2
        let report = try await store.prune(RetentionPolicy(maxBytes: budget), now: Sample.base)
        let after = try await store.statistics()
        #expect(report.partitionsDropped == 0)
        #expect(report.blocksDeleted > 0)
        #expect(after.storedBytes <= budget)
        // Not more than needed: one more block would have fitted.
        #expect(after.storedBytes > budget / 2)
        // What is left is the newest records, and the last one (in the open block) is among them.
        let left = try await store.records(RecordQuery(key: Sample.traceA.key, limit: 10_000))
        #expect(left.records.count == Int(after.records))
        #expect(left.records.last?.record.time == Sample.base + 1999)
        #expect(left.records.first!.record.time > Sample.base)
        try store.close()
    }

    @Test("Age: old history stored today is kept until it has been stored for max_age")
    func ageCountsFromStoring() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"))
        var files = try await Sample.register(store, ["a-out.log"])
        let storedAt = Sample.base + 30 * Sample.day
        try await Sample.append(store, &files[0], [Sample.record("old", time: Sample.base, offset: 0, trace: Sample.traceA)], storedAt: storedAt)
        let week = 7 * Sample.day
        #expect(try await store.prune(RetentionPolicy(maxAge: week), now: storedAt + Sample.day).recordsDeleted == 0)
        #expect(try await store.records(RecordQuery(key: Sample.traceA.key)).records.count == 1)
        #expect(try await store.prune(RetentionPolicy(maxAge: week), now: storedAt + week + 1).recordsDeleted == 1)
        #expect(try await store.records(RecordQuery(key: Sample.traceA.key)).records.isEmpty)
        try store.close()
    }

    @Test("Size: the oldest data goes until the store fits, and the file shrinks")
    func bySize() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"), options: StoreOptions(blockBytes: 8192))
        try await sevenDays(store)
        let before = try await store.statistics()
        let budget = before.storedBytes / 3
        let report = try await store.prune(RetentionPolicy(maxBytes: budget), now: Sample.base + 7 * Sample.day)
        let after = try await store.statistics()
        #expect(after.storedBytes <= budget)
        #expect(after.records < before.records)
        #expect(after.records > 0)
        #expect(report.partitionsDropped >= 4)
        // The newest day is kept whole.
        let newest = try await store.records(RecordQuery(key: Sample.traceB.key, since: Sample.base + 6 * Sample.day, limit: 10_000))
        #expect(newest.records.count == 200)
        #expect(report.bytesFreed > 0)
        try store.close()
    }
}
