import Hummingbird
import Logging
import TraceTailCore
import TraceTailQuery

/// `/healthz`, `/readyz`, `/stats` and `/metrics`.
struct StatusHandlers: Sendable {
    let dependencies: APIDependencies
    let metrics: APIMetrics

    func answer(_ endpoint: Endpoint, logger: Logger) async throws -> Response {
        switch endpoint {
        case .readyz: await readyz(logger: logger)
        case .stats: try await stats()
        case .metrics: try await metricsText()
        default: healthz()
        }
    }

    func healthz() -> Response {
        Response.json(Array(#"{"status":"ok"}"#.utf8))
    }

    /// Ready when the store answers a read and the tailer has read (and stored) the backlog present
    /// at start and can store records: `{"ready": true, "status": "ready", ...}`; else a 503 that
    /// says what is wrong in words of ours (`{"ready": false, "reason": "store unreadable", ...}`)
    /// with the figures behind it. The store's own error may name files or SQL; it goes to the
    /// daemon's log, never to the client.
    func readyz(logger: Logger) async -> Response {
        var readiness = dependencies.readiness()
        var reasons: [String] = []
        do {
            _ = try await dependencies.store.statistics()
        } catch {
            logger.error("not ready: the store cannot be read", metadata: ["error": "\(error)"])
            reasons.append("store unreadable")
        }
        if let reason = readiness.reason, !readiness.ready { reasons.append(reason) }
        readiness.ready = readiness.ready && reasons.isEmpty
        var writer = JSONWriter()
        writer.object { object in
            object.field("ready", readiness.ready)
            object.field("status", readiness.ready ? "ready" : "not ready")
            if !reasons.isEmpty {
                let reason = reasons.joined(separator: ", ")
                object.field("reason", reason)
                object.field("error", "not ready: " + reason)
            }
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
            for (name, value) in dependencies.textStats() { object.field(name, value) }
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
