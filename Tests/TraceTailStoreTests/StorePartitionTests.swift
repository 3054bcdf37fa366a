import Foundation
import Testing
import TraceTailCore
import TraceTailStore

/// Partitions are days of storing: record times, however scattered, change neither their number
/// nor what retention deletes first.
@Suite("Store partitions by day of storing", .serialized)
struct StorePartitionTests {
    static let year2100: Int64 = 4_102_444_800_000  // 2100-01-01T00:00:00Z
    static let year2020: Int64 = 1_577_836_800_000  // 2020-01-01T00:00:00Z

    @Test("Records dated one per day over 50 years make a bounded number of partitions; time windows still work")
    func scatteredTimes() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"))
        var files = try await Sample.register(store, ["a-out.log"])
        let days = 50 * 365
        var records: [IndexedRecord] = []
        var offset: Int64 = 0
        for day in 0..<days {
            // Newest first, as a file read backwards in time would not be: order must not matter.
            let record = Sample.record("day \(day)", time: Sample.base - Int64(day) * Sample.day, offset: offset, trace: Sample.traceA)
            offset = record.endOffset
            records.append(record)
        }
        // Stored in commits of 1,000 records over two days.
        for (index, start) in stride(from: 0, to: days, by: 1000).enumerated() {
            let storedAt = Sample.base + (index < 10 ? 0 : Sample.day)
            try await Sample.append(store, &files[0], Array(records[start..<min(days, start + 1000)]), storedAt: storedAt)
        }
        let stats = try await store.statistics()
        #expect(stats.partitions == 2)
        #expect(stats.records == Int64(days))
        #expect(stats.oldestTime == Sample.base - Int64(days - 1) * Sample.day)
        #expect(stats.newestTime == Sample.base)
        // A window of ten days finds its ten records.
        let since = Sample.base - 1000 * Sample.day
        let window = try await store.records(RecordQuery(key: Sample.traceA.key, since: since, until: since + 9 * Sample.day))
        #expect(window.records.map(\.record.time) == (0..<10).map { since + Int64($0) * Sample.day })
        #expect(try await store.records(RecordQuery(key: Sample.traceA.key, limit: 100_000)).records.count == days)
        #expect(try await store.check().isEmpty)
        try store.close()
    }

    @Test("Age goes by the day of storing: a record dated 2100 goes with its day; history read later stays")
    func ageByStoredTime() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"))
        var files = try await Sample.register(store, ["a-out.log", "b-out.log"])
        let today = Sample.base
        try await Sample.append(store, &files[0], [Sample.record("from 2100", time: Self.year2100, offset: 0, trace: Sample.traceA)], storedAt: today)
        try await Sample.append(store, &files[1], [Sample.record("today", time: today, offset: 0, trace: Sample.traceB)], storedAt: today)
        // History read the next day.
        try await Sample.append(
            store, &files[0], [Sample.record("from 2020", time: Self.year2020, offset: 10, trace: Sample.traceA)], storedAt: today + Sample.day)
        let week = 7 * Sample.day
        // A week after today: today's records go, the 2100 one with them; the history read a day later stays.
        let report = try await store.prune(RetentionPolicy(maxAge: week), now: today + week + Sample.day / 2)
        #expect(report.recordsDeleted == 2)
        #expect(try await store.records(RecordQuery(key: Sample.traceA.key)).records.map(\.record.time) == [Self.year2020])
        #expect(try await store.records(RecordQuery(key: Sample.traceB.key)).records.isEmpty)
        // A week after it was read, it goes too.
        #expect(try await store.prune(RetentionPolicy(maxAge: week), now: today + week + Sample.day * 3 / 2).recordsDeleted == 1)
        #expect(try await store.statistics().records == 0)
        try store.close()
    }

    @Test("Size goes by the order of storing: what was stored first goes first, whatever its records' dates")
    func sizeByStoredOrder() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteLogStore(path: dir.file("db.sqlite"))
        var files = try await Sample.register(store, ["a-out.log", "b-out.log"])
        func batch(_ label: String, time: Int64, trace: TraceID) -> [IndexedRecord] {
            (0..<200).map { i in
                let noise = (0..<6).map { String(UInt64(truncatingIfNeeded: (i + 1) * 2_654_435_761 * ($0 + label.count)), radix: 36) }.joined()
                return Sample.record("\(label) \(i) \(noise)", time: time + Int64(i), offset: Int64(i) * 100, trace: trace)
            }
        }
        // Stored first: records dated 2100. Stored a day later: history from 2020.
        try await Sample.append(store, &files[0], batch("future", time: Self.year2100, trace: Sample.traceA), storedAt: Sample.base)
        try await Sample.append(store, &files[1], batch("history", time: Self.year2020, trace: Sample.traceB), storedAt: Sample.base + Sample.day)
        let before = try await store.statistics()
        #expect(before.partitions == 2)
        let report = try await store.prune(RetentionPolicy(maxBytes: before.storedBytes * 3 / 4), now: Sample.base + Sample.day)
        #expect(report.partitionsDropped == 1)
        #expect(try await store.records(RecordQuery(key: Sample.traceA.key)).records.isEmpty)
        #expect(try await store.records(RecordQuery(key: Sample.traceB.key)).records.count == 200)
        try store.close()
    }
}
