import Foundation
import Testing
import Logging
import Metrics
import TraceTailCore
import TraceTailStore
import TraceTailTailer

/// A real tailer on a real temporary directory and a real SQLite store, driven pass by pass with
/// a clock the test moves.
final class TailerHarness {
    let root: String
    let logs: String
    let database: String
    var store: SQLiteLogStore
    var tailer: DirectoryTailer
    var now: Int64 = 1_782_986_400_000
    let metricsFactory: any MetricsFactory

    init(groupIdle: Int64 = 300, metricsFactory: any MetricsFactory = MetricsSystem.factory) async throws {
        self.metricsFactory = metricsFactory
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-tail-\(UUID().uuidString)").path
        logs = root + "/logs"
        database = root + "/db.sqlite"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        store = try SQLiteLogStore(path: database)
        tailer = DirectoryTailer(
            configuration: Self.configuration(logs, groupIdle: groupIdle), store: store, logger: Self.logger, metricsFactory: metricsFactory)
        try await tailer.start()
    }

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }

    static func configuration(_ directory: String, groupIdle: Int64) -> TailerConfiguration {
        TailerConfiguration(directory: directory, flushIntervalMillis: 0, groupIdleMillis: groupIdle, useInotify: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ name: String) -> String { logs + "/" + name }

    func write(_ name: String, _ text: String) throws {
        let handle = FileHandle(forWritingAtPath: path(name)) ?? {
            _ = FileManager.default.createFile(atPath: path(name), contents: nil)
            return FileHandle(forWritingAtPath: path(name))!
        }()
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        handle.closeFile()
    }

    /// `pm2 flush`: truncate in place.
    func truncate(_ name: String) throws {
        let handle = FileHandle(forWritingAtPath: path(name))!
        handle.truncateFile(atOffset: 0)
        handle.closeFile()
    }

    /// pm2-logrotate: copy to `__<date>.log`, then truncate the original.
    func logrotate(_ name: String, stamp: String = "2026-07-02_00-00-00") throws -> String {
        let copy = name.replacingOccurrences(of: ".log", with: "__\(stamp).log")
        try FileManager.default.copyItem(atPath: path(name), toPath: path(copy))
        try truncate(name)
        return copy
    }

    /// A few passes with the clock moving past the grouping idle time and the flush interval.
    func settle(passes: Int = 3) async throws {
        for _ in 0..<passes {
            now += 1000
            while try await tailer.poll(now: now) {}
        }
        try await tailer.commit(now: now)
    }

    /// Restarts the tailer (and optionally the store) as a new process would.
    func restart(reopenStore: Bool = true) async throws {
        tailer = DirectoryTailer(
            configuration: Self.configuration(logs, groupIdle: 300), store: store, logger: Self.logger, metricsFactory: metricsFactory)
        if reopenStore {
            try store.close()
            store = try SQLiteLogStore(path: database)
            tailer = DirectoryTailer(
            configuration: Self.configuration(logs, groupIdle: 300), store: store, logger: Self.logger, metricsFactory: metricsFactory)
        }
        try await tailer.start()
    }

    /// Every stored record's text with an `N` in `line N`, read through a trace-less scan of the
    /// files' ids: all records are tagged with one trace id by `line(_:)`.
    func storedLines(trace: TraceID = TailerHarness.trace) async throws -> [String] {
        var lines: [String] = []
        var cursor: RecordCursor?
        repeat {
            let page = try await store.records(RecordQuery(key: trace.key, limit: 10_000, after: cursor))
            lines += page.records.map { String(decoding: $0.record.raw, as: UTF8.self) }
            cursor = page.next
        } while cursor != nil
        return lines
    }

    static let trace = TraceID("4bf92f3577b34da6a3ce929d0e0e4736")!

    /// A pino line carrying the test trace id and a unique number.
    static func line(_ n: Int, time: Int64 = 1_782_986_400_000) -> String {
        #"{"level":30,"time":\#(time + Int64(n)),"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"line \#(n)"}"# + "\n"
    }

    static func lines(_ range: Range<Int>) -> String { range.map { line($0) }.joined() }

    /// Expects the stored line numbers to be `expected`, and says which they were when not.
    func expectNumbers(_ expected: [Int], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let stored = try await storedNumbers()
        #expect(stored == expected, sourceLocation: sourceLocation)
    }

    /// Restarts the tailer and store, appends `range` to `name` and expects every line from 0 to
    /// the range's end stored once: what was left before the restart is where it was.
    func expectAfterRestart(appending range: Range<Int>, to name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await restart()
        try write(name, Self.lines(range))
        try await settle()
        try await expectNumbers(Array(0..<range.upperBound), sourceLocation: sourceLocation)
    }

    /// `text` compressed by the system's gzip.
    func gzip(_ text: String) throws -> [UInt8] {
        let input = root + "/gzip-input-\(UUID().uuidString)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: input))
        try Self.shell("gzip -c '\(input)' > '\(input).gz'")
        return Array(try Data(contentsOf: URL(fileURLWithPath: input + ".gz")))
    }

    /// Runs `command` with /bin/sh; it must succeed.
    static func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(command)")
    }

    /// `shell`, waited for on a thread of its own, not one of the pool every test shares.
    static func shellOffPool(_ command: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try shell(command) }) }.start()
        }
    }

    /// Sets a file's modification time to `millis` on the harness's clock (which is not the
    /// machine's: `mayStillGrow` and a copy's age compare the two).
    func setModified(_ name: String, at millis: Int64) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: Double(millis) / 1000)], ofItemAtPath: path(name))
    }

    /// The numbers of the stored lines, sorted (duplicates kept, so they show).
    func storedNumbers() async throws -> [Int] {
        try await storedLines().compactMap { text -> Int? in
            guard let range = text.range(of: #""msg":"line "#) else { return nil }
            return Int(text[range.upperBound...].prefix { $0.isNumber })
        }.sorted()
    }
}
