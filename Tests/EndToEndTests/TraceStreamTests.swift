import Foundation
import Logging
import Testing
import TraceTailCore
import TraceTailHTTP
import TraceTailQuery
import TraceTailStore
import TraceTailTailer

/// `GET /traces/{id}/logs/stream` over real HTTP: the stored records, `caught_up`, then new ones
/// as the tailer stores them; a reconnect with `Last-Event-ID` (or `?cursor=`) resumes with
/// neither a gap nor a repeat; heartbeats; the idle timeout does not cut a quiet stream; a
/// shutdown ends it.
@Suite("Trace event stream", .serialized)
struct TraceStreamTests {
    static let trace = "5a0e6c2d-0c4f-4d8e-9d61-3b1f0f6a7c21"
    static let canonical = "5a0e6c2d0c4f4d8e9d613b1f0f6a7c21"
    static let base: Int64 = 1_782_986_400_000

    /// A log directory read by a real tailer into a real store; `append` writes more and stores it.
    final class Fixture: @unchecked Sendable {
        let root: String
        let store: SQLiteLogStore
        let tailer: DirectoryTailer
        private var clock: Int64 = TraceStreamTests.base + 100_000

        init() async throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-sse-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
            try (0..<3).map { Self.line($0) }.joined().write(toFile: root + "/logs/api-out.log", atomically: true, encoding: .utf8)
            try Self.line(1, trace: "0af7651916cd43dd8448eb211c80319c").write(toFile: root + "/logs/worker-out.log", atomically: true, encoding: .utf8)
            store = try SQLiteLogStore(path: root + "/db.sqlite")
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            tailer = DirectoryTailer(configuration: TailerConfiguration(directory: root + "/logs", useInotify: false), store: store, logger: logger)
            try await tailer.start()
            try await drain()
        }

        static func line(_ n: Int, trace: String = TraceStreamTests.trace, file: String = "api") -> String {
            #"{"level":30,"time":\#(TraceStreamTests.base + Int64(n) * 10),"trace_id":"\#(trace)","span_id":"00f067aa0ba902b7","msg":"\#(file) step \#(n)"}"# + "\n"
        }

        /// Appends records `numbers` of the trace (to `file`-out.log) and has the tailer store them.
        func append(_ numbers: ClosedRange<Int>, file: String = "api") async throws {
            let path = root + "/logs/\(file)-out.log"
            if !FileManager.default.fileExists(atPath: path), !FileManager.default.createFile(atPath: path, contents: nil) {
                throw DaemonError("cannot create \(path)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(numbers.map { Self.line($0, file: file) }.joined().utf8))
            try handle.close()
            try await drain()
        }

        func drain() async throws {
            clock += 1000
            let now = clock
            _ = try await tailer.drain(now: { now })
        }

        func close() {
            try? store.close()
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    static let fast = TraceStreamHandler.Timing(poll: .milliseconds(40), heartbeat: .milliseconds(300))

    static func serve(
        _ fixture: Fixture, timing: TraceStreamHandler.Timing = fast, configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
        _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        try await LiveServer.run(configuration, dependencies: APIDependencies(store: fixture.store, streamTiming: timing)) { http in
            try await body(http.port)
        }
    }

    static func messages(_ events: [EventStreamClient.Event]) -> [String] {
        events.compactMap { $0.json["msg"] as? String }
    }

    @Test("stored records, caught_up, new records as stored; a reconnect with Last-Event-ID or ?cursor= resumes without gap or repeat")
    func resume() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        try await Self.serve(fixture) { port in
            let path = "/traces/\(Self.trace)/logs/stream"
            let first = try EventStreamClient(port: port, path: path)
            try await first.read { $0.count("caught_up") == 1 }
            #expect(first.status == 200)
            #expect(first.head?.lowercased().contains("content-type: text/event-stream") == true)
            #expect(Self.messages(first.records) == ["api step 0", "api step 1", "api step 2"])
            #expect(first.records.allSatisfy { $0.json["trace_id"] as? String == Self.canonical })
            // Each event's id starts with the newest cursor sent, here its own record's, then marks.
            #expect(first.records.allSatisfy { ($0.id ?? "").hasPrefix(($0.json["cursor"] as? String ?? "?") + "~") })
            let caughtUp = try #require(first.events.last)
            #expect(caughtUp.type == "caught_up" && caughtUp.json["records"] as? Int == 3)
            #expect(caughtUp.id == first.records.last?.id)

            // New records arrive on the open stream, from any file.
            try await fixture.append(3...4)
            try await fixture.append(5...5, file: "worker")
            try await first.read { $0.records.count == 6 }
            #expect(Self.messages(first.records) == ["api step 0", "api step 1", "api step 2", "api step 3", "api step 4", "worker step 5"])
            // Silence brings heartbeats, not events.
            try await first.read { !$0.comments.filter { $0 == "heartbeat" }.isEmpty }
            let lastID = try #require(first.records.last?.id)
            first.close()

            // Records stored while no one listened come on the reconnect, each once.
            try await fixture.append(6...8)
            let second = try EventStreamClient(port: port, path: path, headers: ["Last-Event-ID: \(lastID)"])
            try await second.read { $0.count("caught_up") == 1 }
            #expect(Self.messages(second.records) == ["api step 6", "api step 7", "api step 8"])
            #expect(second.events.last?.json["records"] as? Int == 3)
            try await fixture.append(9...9)
            try await second.read { $0.records.count == 4 }
            #expect(Self.messages(second.records).last == "api step 9")
            second.close()

            // A record stored late with an earlier time than the newest the client has (another
            // file flushed late): a reconnect brings it, and nothing the client has.
            let beforeLate = try #require(second.records.last?.id)
            try await fixture.append(4...4, file: "late")
            let fifth = try EventStreamClient(port: port, path: path, headers: ["Last-Event-ID: \(beforeLate)"])
            try await fifth.read { $0.count("caught_up") == 1 }
            #expect(Self.messages(fifth.records) == ["late step 4"])
            fifth.close()

            // ?cursor= does the same; the header wins over it (a reconnecting EventSource).
            let midway = try #require(first.records[2].id)
            let third = try EventStreamClient(port: port, path: path + "?cursor=\(midway)")
            try await third.read { $0.count("caught_up") == 1 }
            #expect(Self.messages(third.records)
                == ["api step 3", "api step 4", "late step 4", "worker step 5", "api step 6", "api step 7", "api step 8", "api step 9"])
            third.close()
            let fourth = try EventStreamClient(port: port, path: path + "?cursor=\(midway)", headers: ["Last-Event-ID: \(lastID)"])
            try await fourth.read { $0.count("caught_up") == 1 }
            // That client was never sent the late record: it comes first, by its time.
            #expect(Self.messages(fourth.records) == ["late step 4", "api step 6", "api step 7", "api step 8", "api step 9"])
            fourth.close()

            // Resumed after a bare cursor (worker step 5): the records after it. A reconnect with
            // the last id then gets nothing again, not even the records at or before that cursor
            // from files it was sent nothing of since (late step 4, worker step 5).
            let bare = try #require(first.records[5].json["cursor"] as? String)
            let sixth = try EventStreamClient(port: port, path: path + "?cursor=\(bare)")
            try await sixth.read { $0.count("caught_up") == 1 }
            #expect(Self.messages(sixth.records) == ["api step 6", "api step 7", "api step 8", "api step 9"])
            let sixthID = try #require(sixth.records.last?.id)
            sixth.close()
            let seventh = try EventStreamClient(port: port, path: path, headers: ["Last-Event-ID: \(sixthID)"])
            try await seventh.read { $0.count("caught_up") == 1 }
            #expect(Self.messages(seventh.records).isEmpty, "\(Self.messages(seventh.records))")
            seventh.close()

            // A cursor at the very bottom of Int64 (a hostile or broken client): the look-back
            // before it does not overflow; the stream resumes after it, that is from the start.
            let bottom = "\(Int64.min).0.0"
            for headers in [[], ["Last-Event-ID: \(bottom)"]] {
                let extreme = try EventStreamClient(port: port, path: path + (headers.isEmpty ? "?cursor=\(bottom)" : ""), headers: headers)
                try await extreme.read { $0.count("caught_up") == 1 }
                #expect(extreme.status == 200)
                #expect(extreme.records.count == 11)
                extreme.close()
            }
            #expect(try await RawHTTP(port: port).send("GET /healthz HTTP/1.1").status == 200, "still serving")
        }
    }

    @Test("bad ids, cursors and parameters are refused before the stream starts; an unknown trace waits for its first record")
    func refusals() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        try await Self.serve(fixture) { port in
            let http = RawHTTP(port: port)
            let bad = try await http.send("GET /traces/\(Self.trace)/logs/stream?cursor=nope HTTP/1.1")
            #expect(bad.status == 400)
            #expect((bad.json["error"] as? String)?.contains("parameter 'cursor'") == true)
            let header = try await http.send("GET /traces/\(Self.trace)/logs/stream HTTP/1.1", headers: ["Last-Event-ID: 12"])
            #expect(header.status == 400)
            #expect((header.json["error"] as? String)?.contains("Last-Event-ID") == true)
            let unknown = try await http.send("GET /traces/\(Self.trace)/logs/stream?limit=5 HTTP/1.1")
            #expect(unknown.status == 400 && unknown.json["error"] as? String == "unknown parameter 'limit'")
            let malformed = try await http.send("GET /traces/00000000-0000-0000-0000-000000000000/logs/stream HTTP/1.1")
            #expect(malformed.status == 400)

            let later = "9b2f6a1c4d3e4f5a8b7c6d5e4f3a2b1c"
            let waiting = try EventStreamClient(port: port, path: "/traces/\(later)/logs/stream")
            try await waiting.read { $0.count("caught_up") == 1 }
            #expect(waiting.records.isEmpty && waiting.events.last?.id == nil)
            let path = fixture.root + "/logs/api-out.log"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(Fixture.line(50, trace: later).utf8))
            try handle.close()
            try await fixture.drain()
            try await waiting.read { $0.records.count == 1 }
            #expect(Self.messages(waiting.records) == ["api step 50"])
            waiting.close()
        }
    }

    @Test("a quiet stream outlives the idle timeout, and the server's shutdown ends it")
    func idleAndShutdown() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        let quiet = TraceStreamHandler.Timing(poll: .milliseconds(40), heartbeat: .seconds(60))
        let configuration = HTTPServerConfiguration(idleTimeout: .milliseconds(300), headerTimeout: .seconds(5))
        let (clients, clientReady) = AsyncStream.makeStream(of: EventStreamClient.self)
        try await Self.serve(fixture, timing: quiet, configuration: configuration) { port in
            let stream = try EventStreamClient(port: port, path: "/traces/\(Self.trace)/logs/stream")
            try await stream.read { $0.count("caught_up") == 1 }
            // Five idle timeouts without a byte either way; the stream is still there.
            try await Task.sleep(for: .milliseconds(1500))
            try await fixture.append(3...3)
            try await stream.read { $0.records.count == 4 }
            #expect(!stream.ended)
            clientReady.yield(stream)
            clientReady.finish()
            // Leaving the body shuts the server down gracefully; it must not wait for the stream.
        }
        var iterator = clients.makeAsyncIterator()
        let stream = try #require(await iterator.next())
        try await stream.read(timeout: 30) { $0.ended }
        #expect(stream.ended)
    }

    @Test("an event id stays short: past 256 files within the look-back it is a bare cursor, and ids read back as they were written")
    func resumePointLimits() throws {
        func stored(file: Int64, offset: Int64, time: Int64) -> StoredRecord {
            var state = FileState(path: "f\(file)-out.log", app: "f\(file)", stream: .out, instance: nil, device: 1, inode: UInt64(file))
            state.id = file
            return StoredRecord(record: IndexedRecord(time: time, startOffset: offset, endOffset: offset + 10, raw: []), file: state)
        }
        var point = ResumePoint()
        for file in 1...3 { point.add(stored(file: Int64(file), offset: 100, time: Self.base + Int64(file))) }
        let token = point.token
        #expect(ResumePoint(token: token) == point, "\(token)")
        #expect(token.split(separator: "~").count == 4)
        for file in 4...300 { point.add(stored(file: Int64(file), offset: 0, time: Self.base + 10)) }
        #expect(point.token == point.cursor.token, "more than 256 files: a bare cursor")
        #expect(ResumePoint(token: point.token) == ResumePoint(after: point.cursor))
        #expect(ResumePoint(token: point.cursor.token + String(repeating: "~1.2.3", count: 300)) == nil)
    }
}
