import Foundation
import Logging
import Synchronization
import Testing
import TraceTailCore
import TraceTailStore
@testable import TraceTailTailer

/// A real SQLite store whose commits wait at a gate until the test opens it: a store that is busy
/// for as long as the test likes. Everything else goes straight to the store.
final class GatedStore: LogStore {
    let inner: SQLiteLogStore
    private struct State {
        var open = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        /// The text bytes of each batch handed over, in order.
        var batchBytes: [Int] = []
        /// Whether `register` fails (as a store out of space or locked by another writer does).
        var refusingRegistrations = false
    }
    struct RegistrationRefused: Error {}
    private let state = Mutex(State())

    init(_ inner: SQLiteLogStore) { self.inner = inner }

    var batchBytes: [Int] { state.withLock { $0.batchBytes } }

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func append(_ batch: IngestBatch) async throws {
        let bytes = batch.records.reduce(0) { $0 + $1.record.raw.count }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let go = state.withLock { state in
                state.batchBytes.append(bytes)
                if !state.open { state.waiting.append(continuation) }
                return state.open
            }
            if go { continuation.resume() }
        }
        try await inner.append(batch)
    }

    func files() async throws -> [FileState] { try await inner.files() }
    func register(_ file: FileState) async throws -> FileState {
        if state.withLock({ $0.refusingRegistrations }) { throw RegistrationRefused() }
        return try await inner.register(file)
    }

    func refuseRegistrations(_ refuse: Bool) { state.withLock { $0.refusingRegistrations = refuse } }
    func records(_ query: RecordQuery) async throws -> RecordPage { try await inner.records(query) }
    func traces(_ query: TraceListQuery) async throws -> TraceList { try await inner.traces(query) }
    func statistics() async throws -> StoreStatistics { try await inner.statistics() }
    func coverage(_ query: CoverageQuery) async throws -> Coverage { try await inner.coverage(query) }
    func prune(_ policy: RetentionPolicy, now: Int64) async throws -> PruneReport { try await inner.prune(policy, now: now) }
}

@Suite("A busy store")
struct BusyStoreTests {
    @Test("while the store writes a batch, reading goes on into the next, up to 1.5 times the flush size; every record stored once", .timeLimit(.minutes(2)))
    func readingGoesOnWhileTheStoreWrites() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-busy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lines = 3_000
        var text = ""
        for i in 0..<lines {
            text += #"{"level":30,"time":\#(1_782_986_400_000 + i),"trace_id":"\#(String(format: "%032x", i / 10 + 1))","msg":"step \#(i) of the job"}"# + "\n"
        }
        try text.write(toFile: root + "/logs/app-out.log", atomically: true, encoding: .utf8)
        let longestLine = text.split(separator: "\n").map { $0.utf8.count + 1 }.max()!
        let flush = 16 << 10
        let chunk = 2 << 10
        let store = GatedStore(try SQLiteLogStore(path: root + "/db.sqlite"))
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let tailer = DirectoryTailer(
            configuration: TailerConfiguration(
                directory: root + "/logs", flushIntervalMillis: 600_000, flushBytes: flush, readChunkBytes: chunk, useInotify: false,
                parseThreads: 1),
            store: store, logger: logger)
        try await tailer.start()
        let now: Int64 = 1_782_986_500_000
        // Up to the first commit, handed to the store, which holds it.
        while tailer.inFlight == nil { _ = try await tailer.poll(now: now) }
        // On while the store is busy, stopping a pass short of the cap (a pass that reaches it
        // waits for the store, as it must: the store will not answer until the gate opens).
        var passes = 0
        while tailer.batchBytes + chunk + longestLine < flush * 3 / 2 {
            _ = try await tailer.poll(now: now)
            passes += 1
        }
        #expect(passes > 0)
        #expect(tailer.batchBytes > flush, "the batch waits for the store at the flush size instead of growing")
        // Read on to the end with the store still held: the tailer reaches the cap and waits. The
        // gate opens a second later (long enough for a tailer without a cap to read far past
        // it; the figures checked below hold however soon or late it opens).
        nonisolated(unsafe) let reading = tailer
        let drained = Task { try await reading.drain(now: { now }) }
        try await Task.sleep(for: .seconds(1))
        store.open()
        _ = try await drained.value
        // No batch grew past the cap by more than one pass's read, the one held at the gate either.
        let sizes = store.batchBytes
        #expect(sizes.count >= 2)
        #expect(sizes.allSatisfy { $0 <= flush * 3 / 2 + chunk + longestLine }, "\(sizes)")
        let stats = try await store.statistics()
        #expect(stats.records == Int64(lines))
        #expect(stats.rawBytes == Int64(text.utf8.count - lines))  // raw text is stored without its newline
    }

    @Test("a new file the store cannot register: its descriptor is closed at each try; once the store takes it, it is followed once")
    func registrationRefused() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-register-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        func lines(_ range: Range<Int>) -> String {
            range.map { #"{"level":30,"time":\#(1_782_986_400_000 + $0),"msg":"step \#($0)"}"# + "\n" }.joined()
        }
        try lines(0..<20).write(toFile: root + "/logs/a-out.log", atomically: true, encoding: .utf8)
        let store = GatedStore(try SQLiteLogStore(path: root + "/db.sqlite"))
        store.open()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let tailer = DirectoryTailer(
            configuration: TailerConfiguration(directory: root + "/logs", useInotify: false), store: store, logger: logger)
        try await tailer.start()
        var now: Int64 = 1_782_986_500_000
        func passes(_ count: Int) async {
            for _ in 0..<count {
                now += 1_000
                _ = try? await tailer.poll(now: now)
            }
        }
        await passes(2)
        store.refuseRegistrations(true)
        let path = root + "/logs/b-out.log"
        try lines(20..<30).write(toFile: path, atomically: true, encoding: .utf8)
        await passes(6)
        #expect(try Self.descriptors(to: path) == 0, "a descriptor left open at each refused try")
        store.refuseRegistrations(false)
        await passes(3)
        try await tailer.commit(now: now)
        #expect(try Self.descriptors(to: path) == 1)
        #expect(try await store.statistics().records == 30)
    }

    /// This process's open descriptors on the file at `path` (by the links in /proc/self/fd:
    /// other tests run in the same process, so a count of all descriptors would not do).
    static func descriptors(to path: String) throws -> Int {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd)) == target
        }.count
    }
}
