import Foundation
import Logging
import Testing
import TraceTailCore
import TraceTailStore
import TraceTailTailer

/// `logs.min_pass_interval`: with inotify, a file written every few milliseconds is read in
/// passes at most that often, not one per write, and nothing is lost or stored twice. And
/// `store.flush_interval` counts from the last commit that stored something.
@Suite("Pass pacing and commit timing")
struct PassPacingTests {
    /// A tailer of its own on the harness's directory and store, with the daemon's flush interval
    /// (250 ms) and group idle time (300 ms), driven on the harness's clock.
    static func daemonTimedTailer(_ h: TailerHarness) async throws -> DirectoryTailer {
        let tailer = DirectoryTailer(
            configuration: TailerConfiguration(directory: h.logs, flushIntervalMillis: 250, groupIdleMillis: 300, useInotify: false),
            store: h.store, logger: TailerHarness.logger)
        try await tailer.start()
        return tailer
    }

    /// An error line and a stack frame: held for more frames until its file is quiet.
    static let heldError = "Error: held trace_id=\(TailerHarness.trace)\n    at work (/app/api.js:3:9)\n"

    @Test("a record read after a quiet spell is committed by the pass that read it; one read sooner waits for the flush interval, and the service is told when")
    func flushIntervalCountsFromTheLastCommit() async throws {
        let h = try await TailerHarness()
        let tailer = try await Self.daemonTimedTailer(h)
        let start = h.now
        try h.write("api-out.log", TailerHarness.lines(0..<1))
        _ = try await tailer.poll(now: start)
        #expect(tailer.nextFlushDue == nil, "the first record is committed by the pass that read it")
        // Quiet passes: nothing to store, so they do not restart the interval.
        _ = try await tailer.poll(now: start + 300)
        _ = try await tailer.poll(now: start + 600)
        try h.write("api-out.log", TailerHarness.lines(1..<2))
        _ = try await tailer.poll(now: start + 650)
        #expect(tailer.nextFlushDue == nil, "read 650 ms after the last commit: committed by the pass that read it")
        // Read 50 ms after that commit: it waits until 250 ms after it, and says so.
        try h.write("api-out.log", TailerHarness.lines(2..<3))
        _ = try await tailer.poll(now: start + 700)
        #expect(tailer.nextFlushDue == start + 650 + 250)
        _ = try await tailer.poll(now: start + 899)
        #expect(tailer.nextFlushDue == start + 900)
        _ = try await tailer.poll(now: start + 900)
        #expect(tailer.nextFlushDue == nil)
        try await tailer.commit(now: start + 1000)
        try await h.expectNumbers([0, 1, 2])
    }

    @Test("the wall clock set back an hour: the next pass commits what it read; the record held before the step is closed a group idle time after it")
    func clockSetBack() async throws {
        let h = try await TailerHarness()
        let tailer = try await Self.daemonTimedTailer(h)
        let start = h.now
        try h.write("api-out.log", TailerHarness.lines(0..<1))
        try h.write("api-error.log", Self.heldError)
        _ = try await tailer.poll(now: start)
        #expect(tailer.nextFlushDue == nil)
        #expect(tailer.hasHeldRecords)
        // An operator (or a bad NTP step) sets the clock back an hour. Counted as no time
        // passed, both would wait for the clock to catch up: an hour.
        let back = start - 3_600_000
        try h.write("api-out.log", TailerHarness.lines(1..<2))
        _ = try await tailer.poll(now: back)
        #expect(tailer.nextFlushDue == nil, "what the pass read is committed")
        #expect(tailer.hasHeldRecords, "its quiet time starts again: frames may still come")
        #expect(tailer.nextReleaseDue(now: back) == back + 300)
        _ = try await tailer.poll(now: back + 300)
        #expect(!tailer.hasHeldRecords, "closed a group idle time after the step, not an hour")
        // And the interval starts again from the new time.
        try h.write("api-out.log", TailerHarness.lines(2..<3))
        _ = try await tailer.poll(now: back + 400)
        #expect(tailer.nextFlushDue == back + 300 + 250)
        try await tailer.commit(now: back + 600)
        try await h.expectNumbers([0, 1, 2])
        #expect(try await h.storedLines().count { $0.hasPrefix("Error: held") } == 1)
    }

    @Test("a record held for continuation lines is closed at the time nextReleaseDue gives, which the service waits for")
    func heldRecordReleaseTime() async throws {
        let h = try await TailerHarness(groupIdle: 300)
        let start = h.now
        try h.write("api-error.log", Self.heldError)
        _ = try await h.tailer.poll(now: start)
        #expect(h.tailer.hasHeldRecords)
        #expect(h.tailer.nextReleaseDue(now: start) == start + 300)
        _ = try await h.tailer.poll(now: start + 299)
        #expect(h.tailer.hasHeldRecords, "closed before its file was quiet for the group idle time")
        #expect(h.tailer.nextReleaseDue(now: start + 299) == start + 300)
        _ = try await h.tailer.poll(now: start + 300)
        #expect(!h.tailer.hasHeldRecords, "still held at the time the service was told to come back")
        #expect(h.tailer.nextReleaseDue(now: start + 300) == nil)
        try await h.tailer.commit(now: start + 300)
        #expect(try await h.storedLines().count { $0.hasPrefix("Error: held") && $0.contains("at work") } == 1)
    }

    @Test("a file written every 2 ms is read in passes at most once per min_pass_interval, every line stored once")
    func passesArePaced() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-pace-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try SQLiteLogStore(path: root + "/db.sqlite")
        let status = TailerStatus()
        // Long enough that passes on every write (hundreds in the test's time, on any machine
        // that writes a line every few ms) cannot stay under the bound below.
        let pace: Int64 = 200
        let service = TailerService(
            configuration: TailerConfiguration(
                directory: logs, flushIntervalMillis: 50, useInotify: true, minPassIntervalMillis: pace),
            store: store, logger: TailerHarness.logger, status: status)
        let running = Task { try await service.run() }
        defer { running.cancel() }  // on an early exit; the end of the test also waits for it
        try await waitUntil("the tailer caught up") { status.snapshot.caughtUp }

        let path = logs + "/api-out.log"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let lines = 300
        let before = status.snapshot.passes
        let started = ContinuousClock.now
        for n in 0..<lines {
            handle.seekToEndOfFile()
            handle.write(Data(TailerHarness.line(n).utf8))
            try await Task.sleep(for: .milliseconds(2))
        }
        let passes = status.snapshot.passes - before
        let elapsed = started.duration(to: .now)
        handle.closeFile()
        // A pass starts at least `pace` after the one before: in `elapsed`, at most elapsed / pace
        // of them, plus the one running when counting began and the one running at its end.
        let bound = Int(elapsed / .milliseconds(pace)) + 2
        #expect(passes <= bound, "\(passes) passes in \(elapsed) at one per \(pace) ms at most")
        #expect(passes >= 1)

        try await waitUntil("every line stored") { (try? await Self.numbers(store).count) == lines }
        #expect(try await Self.numbers(store) == Array(0..<lines))
        // The service's last commit is over before the directory goes.
        running.cancel()
        _ = try? await running.value
    }

    /// The `N` of every stored `line N`, in order.
    static func numbers(_ store: SQLiteLogStore) async throws -> [Int] {
        let page = try await store.records(RecordQuery(key: TailerHarness.trace.key, limit: 10_000))
        return page.records.compactMap { stored -> Int? in
            let text = String(decoding: stored.record.raw, as: UTF8.self)
            guard let range = text.range(of: #""msg":"line "#) else { return nil }
            return Int(text[range.upperBound...].prefix { $0.isNumber })
        }.sorted()
    }

    func waitUntil(_ what: String, _ done: () async -> Bool) async throws {
        for _ in 0..<400 {
            if await done() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting until \(what)")
    }
}
