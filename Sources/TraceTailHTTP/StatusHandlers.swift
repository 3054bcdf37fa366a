import Hummingbird
import Logging
import TraceTailCore

/// `/healthz`, `/readyz`, `/stats` and `/metrics`.
struct StatusHandlers: Sendable {
    let dependencies: APIDependencies
    let metrics: APIMetrics

    func answer(_ endpoint: Endpoint, logger: Logger) async throws -> Response {
        switch endpoint {
        case .readyz: try await readyz(logger: logger)
        case .stats: try await stats()
        case .metrics: try await metricsText()
        default: healthz()
        }
    }

    func healthz() -> Response {
        Response.json(Array(#"{"status":"ok"}"#.utf8))
    }

    /// Ready when the store answers a read and the tailer has read the backlog present at start;
    /// otherwise 503 with the reason and the progress (`{"status":"not ready","reason":...}`).
    func readyz(logger: Logger) async throws -> Response {
        var readiness = dependencies.readiness()
        do {
            _ = try await dependencies.store.statistics()
        } catch {
            // The cause goes to the daemon's log; the client is told the state.
            logger.error("readiness check: store not readable", metadata: ["error": "\(error)"])
            readiness = Readiness(ready: false, reason: "store not readable")
        }
        var writer = JSONWriter()
        writer.object { object in
            object.field("status", readiness.ready ? "ready" : "not ready")
            if let reason = readiness.reason { object.field("reason", reason) }
            for (name, value) in readiness.figures { object.field(name, value) }
        }
        return Response.json(writer.bytes, status: readiness.ready ? .ok : .serviceUnavailable)
    }

    func stats() async throws -> Response {
        let stats = try await dependencies.store.statistics()
        metrics.update(from: stats)
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

    /// Prometheus text; the store gauges are refreshed first.
    func metricsText() async throws -> Response {
        metrics.update(from: try await dependencies.store.statistics())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: dependencies.metricsText())))
    }
}
