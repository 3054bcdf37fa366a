import Foundation
import Testing
import TraceTailCore
import TraceTailStore
import TraceTailTailer

/// A file replaced by one that begins with the same bytes (`git checkout`, an editor's save
/// through a temporary file, `cp` onto a new inode) is the same file continued, not new data.
@Suite("Replaced files", .serialized)
struct ReplacedFileTests {
    /// Writes `text` to a temporary file and renames it over `name`: a new inode, as git and
    /// most editors write.
    static func replace(_ h: TailerHarness, _ name: String, with text: String) throws {
        let temporary = h.root + "/" + name + ".tmp"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        #expect(rename(temporary, h.path(name)) == 0)
    }

    @Test("Replaced with the same bytes while followed: nothing stored again")
    func sameBytes() async throws {
        let h = try await TailerHarness()
        try h.write("a-out.log", TailerHarness.lines(0..<40))
        try await h.settle()
        let inode = try #require(FileSystem.status(h.path("a-out.log"))?.inode)
        try Self.replace(h, "a-out.log", with: TailerHarness.lines(0..<40))
        #expect(FileSystem.status(h.path("a-out.log"))?.inode != inode, "the test must really replace the file")
        try await h.settle()
        try await h.expectNumbers(Array(0..<40))
    }

    @Test("Replaced with the same bytes and more: only the new lines are stored")
    func sameBytesAndMore() async throws {
        let h = try await TailerHarness()
        try h.write("a-out.log", TailerHarness.lines(0..<40))
        try await h.settle()
        try Self.replace(h, "a-out.log", with: TailerHarness.lines(0..<45))
        try await h.settle()
        try h.write("a-out.log", TailerHarness.lines(45..<50))
        try await h.settle()
        try await h.expectNumbers(Array(0..<50))
    }

    @Test("git checkout after an append (the file goes back to its first bytes): nothing twice, and later appends are read")
    func checkoutAfterAppend() async throws {
        let h = try await TailerHarness()
        try h.write("a-out.log", TailerHarness.lines(0..<40))
        try await h.settle()
        try h.write("a-out.log", TailerHarness.line(1000))
        try await h.settle()
        try Self.replace(h, "a-out.log", with: TailerHarness.lines(0..<40))
        try await h.settle()
        try await h.expectNumbers(Array(0..<40) + [1000])
        try h.write("a-out.log", TailerHarness.line(2000))
        try await h.settle()
        try await h.expectNumbers(Array(0..<40) + [1000, 2000])
    }

    @Test("Replaced while the tailer was stopped: continued at the next start")
    func replacedWhileStopped() async throws {
        let h = try await TailerHarness()
        try h.write("a-out.log", TailerHarness.lines(0..<40))
        try await h.settle()
        try Self.replace(h, "a-out.log", with: TailerHarness.lines(0..<43))
        try await h.restart()
        try await h.settle()
        try await h.expectNumbers(Array(0..<43))
    }

    @Test("A new file under the same name with other bytes is new data, read from its start")
    func otherBytes() async throws {
        let h = try await TailerHarness()
        try h.write("a-out.log", TailerHarness.lines(0..<40))
        try await h.settle()
        try Self.replace(h, "a-out.log", with: TailerHarness.lines(100..<110))
        try await h.settle()
        try await h.expectNumbers(Array(0..<40) + Array(100..<110))
    }
}

/// Records with no time of their own at the top of a file read as history.
@Suite("Time of untimed history")
struct UntimedHistoryTests {
    @Test("A file's first records without a time take the next timed record's time, not the time they were read")
    func firstRecords() async throws {
        let h = try await TailerHarness()
        let banner = "🚀 agent-review listening on :3103 trace_id=4bf92f3577b34da6a3ce929d0e0e4736\n"
        try h.write("a-out.log", banner + banner + TailerHarness.lines(0..<3))
        h.now += 150 * 86_400_000  // read 150 days after it was written
        try await h.settle()
        let page = try await h.store.records(RecordQuery(key: TailerHarness.trace.key, limit: 100))
        #expect(page.records.count == 5)
        let first = 1_782_986_400_000 as Int64
        #expect(page.records.map(\.record.time) == [first, first, first, first + 1, first + 2])
    }

    @Test("A file of untimed records only takes its modification time")
    func onlyUntimed() async throws {
        let h = try await TailerHarness()
        let line = "plain text trace_id=4bf92f3577b34da6a3ce929d0e0e4736\n"
        try h.write("a-out.log", line + line)
        let written: Date = Date(timeIntervalSince1970: 1_700_000_000)
        try FileManager.default.setAttributes([.modificationDate: written], ofItemAtPath: h.path("a-out.log"))
        h.now = 1_800_000_000_000
        try await h.settle()
        let page = try await h.store.records(RecordQuery(key: TailerHarness.trace.key, limit: 100))
        #expect(page.records.map(\.record.time) == [1_700_000_000_000, 1_700_000_000_000])
    }
}
