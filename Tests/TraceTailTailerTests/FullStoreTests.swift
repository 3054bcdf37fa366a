import Foundation
import GRDB
import Testing
import TraceTailCore
@testable import TraceTailStore
import TraceTailTailer

/// A store that refuses writes (SQLite's `max_page_count` makes it answer SQLITE_FULL exactly as
/// a full disk does): the tailer stops reading ahead, keeps what it read, and once the store takes
/// writes again it stores everything exactly once.
@Suite("Full store", .serialized)
struct FullStoreTests {
    static func limitPages(_ store: SQLiteLogStore, extra: Int?) async throws {
        try await store.database.writeWithoutTransaction { db in
            if let extra {
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                try db.execute(sql: "PRAGMA max_page_count = \(pages + extra)")
            } else {
                try db.execute(sql: "PRAGMA max_page_count = 1073741823")
            }
        }
    }

    @Test("Commits refused: reading pauses (memory bounded), nothing lost; once space returns, stored once")
    func fullThenFree() async throws {
        let h = try await TailerHarness()
        try h.write("a-out.log", TailerHarness.lines(0..<100))
        try await h.settle()
        try await Self.limitPages(h.store, extra: 2)
        try h.write("a-out.log", TailerHarness.lines(100..<6000))
        try h.write("b-out.log", TailerHarness.lines(6000..<6100))

        var refusals = 0
        var collectedWhileFailing: [Int] = []
        for _ in 0..<40 {
            h.now += 300
            do {
                _ = try await h.tailer.poll(now: h.now)
            } catch is CommitFailure {
                refusals += 1
                collectedWhileFailing.append(h.tailer.collectedRecords)
            }
        }
        #expect(refusals > 10)
        #expect(h.tailer.commitFailures > 10)
        // Once the store refuses, nothing more is read: what is held stays one commit's worth.
        #expect(Set(collectedWhileFailing.suffix(10)).count == 1, "\(collectedWhileFailing)")
        #expect(collectedWhileFailing.last! < 6100)
        #expect(h.tailer.backlogBytes > 100_000, "the lag counts what is not stored, not what was read")

        try await Self.limitPages(h.store, extra: nil)
        try await h.settle(passes: 5)
        try await h.expectNumbers(Array(0..<6100))
        let check = try await h.store.check()
        #expect(check.isEmpty, "\(check)")
    }
}
