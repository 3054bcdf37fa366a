import Hummingbird
import TraceTailCore

/// `/healthz`, `/readyz`, `/stats` and `/metrics`.
struct StatusHandlers: Sendable {
    let dependencies: APIDependencies
    let metrics: APIMetrics

    func answer(_ endpoint: Endpoint) async throws -> Response {
        switch endpoint {
        case .readyz: try await readyz()
        case .stats: try await stats()
        case .metrics: try await metricsText()
        default: healthz()
        }
    }

    func healthz() -> Response {
        Response.json(Array(#"{"status":"ok"}"#.utf8))
    }

    /// Ready when the store answers a read and the tailer runs.
    func readyz() async throws -> Response {
        do {
            _ = try await dependencies.store.statistics()
        } catch {
            throw APIError(.serviceUnavailable, "store not readable: \(error)")
        }
        guard dependencies.tailerRunning() else { throw APIError(.serviceUnavailable, "tailer not running") }
        return Response.json(Array(#"{"status":"ready"}"#.utf8))
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
