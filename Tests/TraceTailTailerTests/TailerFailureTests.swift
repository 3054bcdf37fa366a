import Foundation
import Testing
import TraceTailCore
import TraceTailStore
import TraceTailTailer

/// What goes wrong on disk is an error, said once, and never a reason to store a record twice.
@Suite("Tailer failures", .serialized)
struct TailerFailureTests {
    @Test("A directory that cannot be listed is an error, not an empty one: nothing re-read from 0")
    func unlistableDirectory() async throws {
        let h = try await TailerHarness()
        try h.write("a-out.log", TailerHarness.lines(0..<10))
        try h.write("b-out.log", TailerHarness.lines(10..<20))
        try await h.settle()
        try h.write("a-out.log", TailerHarness.lines(20..<25))
        // The directory goes away and a regular file takes its path: listing it fails (ENOTDIR).
        // (Tests run as root, where chmod 000 would not stop the listing.)
        let away = h.root + "/logs.away"
        try FileManager.default.moveItem(atPath: h.logs, toPath: away)
        #expect(FileManager.default.createFile(atPath: h.logs, contents: Data("not a directory\n".utf8)))
        h.now += 1000
        await #expect(throws: TailerError.self) { try await h.tailer.poll(now: h.now) }
        // A restart while it cannot be listed: the saved files are not given up for gone.
        try await h.restart()
        await #expect(throws: TailerError.self) { try await h.tailer.poll(now: h.now) }
        #expect(try await h.store.files().map(\.status) == [.live, .live])
        // A dangling symbolic link in its place: the same.
        try FileManager.default.removeItem(atPath: h.logs)
        try FileManager.default.createSymbolicLink(atPath: h.logs, withDestinationPath: h.root + "/nowhere")
        try await h.restart()
        await #expect(throws: TailerError.self) { try await h.tailer.poll(now: h.now) }
        #expect(try await h.store.files().map(\.status) == [.live, .live])
        // The directory is back, with more lines: every line once.
        try FileManager.default.removeItem(atPath: h.logs)
        try FileManager.default.moveItem(atPath: away, toPath: h.logs)
        try h.write("b-out.log", TailerHarness.lines(25..<30))
        try await h.settle()
        #expect(try await h.storedNumbers() == Array(0..<30))
    }

    @Test("A .gz copy cut short: read up to the cut, an error naming it counted once, not marked read; once whole, the rest once")
    func truncatedGzip() async throws {
        let h = try await TailerHarness()
        let name = "api-out__2026-06-30_00-00-00.log.gz"
        // Several chunks of compressed bytes (256 KiB per pass), inflated a chunk per pass.
        var text = ""
        for n in 0..<40_000 { text += TailerHarness.line(n).replacingOccurrences(of: "\"msg\"", with: "\"r\":\(n &* 2_654_435_761 % 1_000_003),\"msg\"") }
        let whole = try h.gzip(text)
        #expect(whole.count > 256 * 1024)
        try Data(whole.prefix(whole.count * 2 / 3)).write(to: URL(fileURLWithPath: h.path(name)))
        try await h.settle(passes: 6)
        // What was before the cut is stored once; the file is not taken as read.
        let prefix = try await h.storedNumbers()
        #expect(prefix.count > 1000 && prefix.count < 40_000)
        #expect(prefix == Array(0..<prefix.count))
        #expect(h.tailer.damagedCopies == 1)
        #expect(try await h.store.files().first { $0.path == name }?.status == .live)
        // A restart reads nothing again (and finds it cut short again, once).
        try await h.restart()
        try await h.settle(passes: 6)
        #expect(try await h.storedNumbers() == prefix)
        #expect(h.tailer.damagedCopies == 1)
        // The copy is finished: the rest of it, once, and it is let go.
        try Data(whole).write(to: URL(fileURLWithPath: h.path(name)))
        try await h.settle(passes: 6)
        #expect(try await h.storedNumbers() == Array(0..<40_000))
        #expect(try await h.store.files().first { $0.path == name }?.status == .retired)
        #expect(h.tailer.damagedCopies == 1)
    }

    @Test("A .gz copy cut short next to the live file it might continue is not adopted until it is whole")
    func truncatedGzipBesideLiveFile() async throws {
        let h = try await TailerHarness()
        let name = "api-out__2026-06-30_00-00-00.log.gz"
        let whole = try h.gzip(TailerHarness.lines(0..<2000))
        try Data(whole.prefix(whole.count - 100)).write(to: URL(fileURLWithPath: h.path(name)))
        try h.write("api-out.log", TailerHarness.lines(50_000..<50_010))
        try await h.settle(passes: 4)
        #expect(try await h.storedNumbers() == Array(50_000..<50_010))
        #expect(h.tailer.damagedCopies == 1)
        try Data(whole).write(to: URL(fileURLWithPath: h.path(name)))
        try await h.settle(passes: 4)
        #expect(try await h.storedNumbers() == Array(0..<2000) + Array(50_000..<50_010))
    }

    @Test("A .gz rotated copy of a followed file continues it, cut short or not, nothing twice")
    func compressedRotation() async throws {
        let h = try await TailerHarness()
        try h.write("worker-out.log", TailerHarness.lines(0..<100))
        try await h.settle()
        try h.write("worker-out.log", TailerHarness.lines(100..<130))
        let name = "worker-out__2026-07-02_00-00-00.log.gz"
        let whole = try h.gzip(String(decoding: FileManager.default.contents(atPath: h.path("worker-out.log"))!, as: UTF8.self))
        try Data(whole.prefix(whole.count / 2)).write(to: URL(fileURLWithPath: h.path(name)))
        try h.truncate("worker-out.log")
        try await h.settle()
        #expect(h.tailer.damagedCopies == 1)
        try Data(whole).write(to: URL(fileURLWithPath: h.path(name)))
        try h.write("worker-out.log", TailerHarness.lines(130..<140))
        try await h.settle()
        #expect(try await h.storedNumbers() == Array(0..<140))
    }

    @Test("A file of only NULs is skipped past, not read again at every start; what follows is read once")
    func onlyNULs() async throws {
        let h = try await TailerHarness()
        let hole = 300_000
        try Data(count: hole).write(to: URL(fileURLWithPath: h.path("a-out.log")))
        try await h.settle()
        var file = try #require(try await h.store.files().first)
        #expect(file.offset == Int64(hole))
        #expect(file.counters.bytesSkipped == Int64(hole))
        let read = file.counters.bytesRead
        try await h.restart()
        try await h.settle()
        file = try #require(try await h.store.files().first)
        #expect(file.counters.bytesRead == read)
        try h.write("a-out.log", TailerHarness.lines(0..<3))
        try await h.settle()
        #expect(try await h.storedNumbers() == [0, 1, 2])
        #expect(try await h.store.files().first?.offset == Int64(hole + TailerHarness.lines(0..<3).utf8.count))
    }

    @Test("A line with no end longer than the record limit is stored cut, once, and not read again at start")
    func overlongUnendedLine() async throws {
        let h = try await TailerHarness()
        let line = TailerHarness.line(7).dropLast()  // no line end
        let size = 1_600_000
        try h.write("a-out.log", line + String(repeating: "x", count: size))
        try await h.settle()
        #expect(try await h.storedNumbers() == [7])
        let file = try #require(try await h.store.files().first)
        #expect(file.offset == Int64(line.utf8.count + size))
        #expect(file.counters.linesTruncated == 1)
        try await h.restart()
        try await h.settle()
        #expect(try await h.store.files().first?.counters.bytesRead == file.counters.bytesRead)
        // The line ends later; the next one is read once.
        try h.write("a-out.log", "xxx\n" + TailerHarness.line(8))
        try await h.settle()
        #expect(try await h.storedNumbers() == [7, 8])
    }
}
