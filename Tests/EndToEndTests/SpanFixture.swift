import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TraceTailCore
import TraceTailHTTP
import TraceTailStore
import TraceTailTailer

/// A log directory with one trace of five spans across three apps (a span whose parent is not in
/// the trace, a record without a span, a stderr line without a level), another trace, and a line
/// that carries only a workflow id (written before tracing worked); read by the real tailer into
/// a real SQLite store.
struct SpanFixture {
    static let trace = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"
    static let traceCanonical = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let other = "0af7651916cd43dd8448eb211c80319c"
    static let workflow = "b4d92594-b38a-4b65-aa8e-7f50c565775d"
    static let task = "task-42"
    static let spanA = "00f067aa0ba902b7"
    static let spanB = "b7ad6b7169203331"
    static let spanC = "53995c3f42cd8ad8"
    static let spanD = "e457b5a2e4d86bd1"
    static let missingParent = "1111111111111111"
    /// 2026-07-02T10:00:00.000Z
    static let base: Int64 = 1_782_986_400_000

    let store: SQLiteLogStore
    let root: String

    var logs: String { root + "/logs" }
    var database: String { root + "/db.sqlite" }

    static func line(
        _ time: Int64, _ msg: String, level: Int? = 30, trace: String? = trace, span: String? = nil,
        parent: String? = nil, workflow: String? = nil, task: String? = nil
    ) -> String {
        var fields: [String] = []
        if let level { fields.append(#""level":\#(level)"#) }
        fields.append(#""time":\#(base + time)"#)
        for (key, value) in [("trace_id", trace), ("span_id", span), ("parent_span_id", parent), ("workflow_id", workflow), ("task_id", task)] {
            if let value { fields.append(#""\#(key)":"\#(value)""#) }
        }
        fields.append(#""msg":"\#(msg)""#)
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    static func make() async throws -> SpanFixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-e2e-\(UUID().uuidString)").path
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let files: [String: String] = [
            "orchestrator-out.log":
                line(0, "workflow created", span: spanA, workflow: workflow)
                + line(5, "other trace", trace: other, span: "aaaaaaaaaaaaaaaa")
                + line(40, "workflow finished", span: spanA, workflow: workflow),
            "agent-scaffold-out.log":
                line(10, "task started", span: spanB, parent: spanA, task: task)
                + line(15, "step one", level: 20, span: spanC, parent: spanB, task: task),
            "agent-scaffold-error.log":
                line(30, "task failed", level: 50, span: spanB, parent: spanA, task: task)
                + line(31, "stderr noise without level", level: nil),
            "api-out-3.log":
                line(20, "request \\\"quoted\\\"", level: 40, span: spanD, parent: missingParent)
                + line(21, "legacy line", trace: nil, workflow: workflow),
        ]
        for (name, text) in files { try text.write(toFile: logs + "/" + name, atomically: true, encoding: .utf8) }
        let store = try SQLiteLogStore(path: root + "/db.sqlite")
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let tailer = DirectoryTailer(configuration: TailerConfiguration(directory: logs, useInotify: false), store: store, logger: logger)
        try await tailer.start()
        _ = try await tailer.drain(now: { base + 100_000 })
        return SpanFixture(store: store, root: root)
    }

    /// Runs `body` against the API served over real HTTP on 127.0.0.1, then cleans up.
    static func withAPI(
        token: String? = nil, _ body: @escaping @Sendable (LiveClient, SpanFixture) async throws -> Void
    ) async throws {
        let fixture = try await make()
        defer {
            try? fixture.store.close()
            try? FileManager.default.removeItem(atPath: fixture.root)
        }
        try await LiveClient.test(
            TraceTailAPI.router(APIDependencies(store: fixture.store, token: token)),
            server: TraceTailAPI.server(HTTPServerConfiguration(), logger: Logger(label: "test")).builder
        ) { client in try await body(client, fixture) }
    }
}

extension LiveClient.Response {
    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }
}

extension SpanFixture {
    /// A store in a new temporary folder `root` (remove it afterwards) holding one trace of
    /// `records` records in span A, each padded with `padding` bytes, read in full by the real
    /// tailer: an answer far larger than the socket buffers of both ends.
    static func largeTraceStore(records: Int, padding: Int) async throws -> (store: SQLiteLogStore, root: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracetail-large-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        let pad = String(repeating: "p", count: padding)
        let text = (0..<records).map { line(Int64($0), "record \($0) \(pad)", span: spanA) }.joined()
        try text.write(toFile: root + "/logs/orchestrator-out.log", atomically: true, encoding: .utf8)
        let store = try SQLiteLogStore(path: root + "/db.sqlite")
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let tailer = DirectoryTailer(
            configuration: TailerConfiguration(directory: root + "/logs", useInotify: false), store: store, logger: logger)
        try await tailer.start()
        _ = try await tailer.drain(now: { base + 100_000 })
        return (store, root)
    }
}
