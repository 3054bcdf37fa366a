import Hummingbird
import Logging
import TraceTailCore

/// What the HTTP layer needs from the rest of the daemon.
package struct APIDependencies: Sendable {
    package var store: any LogStore
    package var parser: RecordParser
    /// Whether the tailer is running, for `/readyz`; nil when there is no tailer (`tracetail query`).
    package var tailerRunning: @Sendable () -> Bool
    /// Extra figures for `/stats` (the tailer's), as JSON fields.
    package var tailerStats: @Sendable () -> [(String, Int64)]
    /// The Prometheus text for `/metrics`.
    package var metricsText: @Sendable () -> String
    /// When set, every request but `/healthz` needs `Authorization: Bearer <token>`.
    package var token: String?

    package init(
        store: any LogStore,
        parser: RecordParser = RecordParser(),
        tailerRunning: @escaping @Sendable () -> Bool = { true },
        tailerStats: @escaping @Sendable () -> [(String, Int64)] = { [] },
        metricsText: @escaping @Sendable () -> String = { "" },
        token: String? = nil
    ) {
        self.token = token
        self.store = store
        self.parser = parser
        self.tailerRunning = tailerRunning
        self.tailerStats = tailerStats
        self.metricsText = metricsText
    }
}

/// The HTTP API's routes.
package enum TraceTailAPI {
    package static func router(_ dependencies: APIDependencies) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware())
        if let token = dependencies.token { router.add(middleware: BearerTokenMiddleware(token: Array(token.utf8))) }
        let logs = LogsHandler(dependencies: dependencies)
        router.get("/traces/:id/logs") { request, context in try await logs.answer(.trace, request, context) }
        router.get("/spans/:id/logs") { request, context in try await logs.answer(.span, request, context) }
        router.get("/workflows/:id/logs") { request, context in try await logs.answer(.workflow, request, context) }
        router.get("/tasks/:id/logs") { request, context in try await logs.answer(.task, request, context) }
        router.get("/healthz") { _, _ in
            Response.json(Array(#"{"status":"ok"}"#.utf8))
        }
        router.get("/readyz") { _, _ in
            do {
                _ = try await dependencies.store.statistics()
            } catch {
                throw APIError(.serviceUnavailable, "store not readable: \(error)")
            }
            guard dependencies.tailerRunning() else { throw APIError(.serviceUnavailable, "tailer not running") }
            return Response.json(Array(#"{"status":"ready"}"#.utf8))
        }
        router.get("/stats") { _, _ in
            let stats = try await dependencies.store.statistics()
            var writer = JSONWriter()
            writer.object { object in
                object.field("records", stats.records)
                object.field("blocks", stats.blocks)
                object.field("raw_bytes", stats.rawBytes)
                object.field("stored_bytes", stats.storedBytes)
                object.field("file_bytes", stats.fileBytes)
                object.field("ratio", stats.storedBytes > 0 ? Double(stats.rawBytes) / Double(stats.storedBytes) : 0)
                object.field("oldest", stats.oldestTime.map(Timestamp.rfc3339))
                object.field("newest", stats.newestTime.map(Timestamp.rfc3339))
                object.field("files", stats.files)
                object.field("partitions", stats.partitions)
                for (name, value) in dependencies.tailerStats() { object.field(name, value) }
            }
            return Response.json(writer.bytes)
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: dependencies.metricsText())))
        }
        return router
    }
}
