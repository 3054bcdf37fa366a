import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TraceTailHTTP
import TraceTailQuery

/// docs/openapi.yaml stays true: it documents exactly the routes the router serves, and every
/// parameter it documents is accepted by a live request.
@Suite("OpenAPI description")
struct OpenAPITests {
    typealias F = SpanFixture

    @Test("the (method, path) pairs of the spec are exactly the routes served")
    func routes() throws {
        let outline = try OpenAPIOutline.load()
        let documented = outline.operations.map { "\($0.method) \($0.path)" }
        #expect(documented.count == Set(documented).count, "an operation documented twice")
        let served = TraceTailAPI.routes.map { "\($0.method) \($0.path)" }
        #expect(Set(documented) == Set(served))
        #expect(!served.isEmpty)
    }

    @Test("every operation documents its errors; id paths document 400 and 404")
    func responses() throws {
        for operation in try OpenAPIOutline.load().operations {
            #expect(operation.statuses.contains("200"), "\(operation.path)")
            if operation.path != "/healthz" { #expect(operation.statuses.contains("401"), "\(operation.path)") }
            if operation.path.contains("{id}") {
                #expect(operation.statuses.contains("400") && operation.statuses.contains("404"), "\(operation.path)")
                #expect(operation.parameters.contains(.init(name: "id", location: "path")), "\(operation.path)")
            }
            if operation.parameters.contains(where: { $0.location == "query" }) {
                #expect(operation.statuses.contains("400"), "\(operation.path)")
            }
        }
    }

    /// A valid value for each documented query parameter.
    static let samples: [String: String] = [
        "span_id": SpanFixture.spanB, "app": "agent-scaffold", "level": "info", "since": "2026-07-02T10:00:00Z",
        "until": "\(SpanFixture.base + 60_000)", "q": "task", "limit": "5", "cursor": "0.0.0", "order": "desc",
        "format": "ndjson", "errors": "true", "include": "related", "host": "api-1",
    ]

    /// An id that has records, per path.
    static func concrete(_ path: String) -> String {
        let id = path.hasPrefix("/spans") ? F.spanB : path.hasPrefix("/workflows") ? F.workflow : path.hasPrefix("/tasks") ? F.task : F.trace
        return path.replacingOccurrences(of: "{id}", with: id)
    }

    @Test("every documented parameter is accepted, alone and all together; the code's lists match")
    func parametersAccepted() async throws {
        let outline = try OpenAPIOutline.load()
        try await F.withAPI { client, _ in
            // The event stream never ends by itself: TraceStreamTests checks its parameters.
            for operation in outline.operations where operation.path != Endpoint.traceStream.path {
                let names = operation.parameters.filter { $0.location == "query" }.map(\.name)
                let path = Self.concrete(operation.path)
                for name in names {
                    let value = try #require(Self.samples[name], "no sample value for \(name)")
                    try await client.execute(uri: "\(path)?\(name)=\(value)", method: .get) { response in
                        #expect(response.status == .ok, "\(operation.path)?\(name)=\(value): \(response.text.prefix(200))")
                    }
                }
                let all = names.map { "\($0)=\(Self.samples[$0] ?? "")" }.joined(separator: "&")
                try await client.execute(uri: "\(path)?\(all)", method: .get) { response in
                    #expect(response.status == .ok, "\(operation.path)?\(all): \(response.text.prefix(200))")
                }
                // And an undocumented one is refused.
                try await client.execute(uri: "\(path)?undocumented=1", method: .get) { response in
                    #expect(response.status == .badRequest, "\(operation.path)")
                    #expect(response.object["error"] as? String == "unknown parameter 'undocumented'")
                }
            }
        }
        let logs = Set(outline.operations.first { $0.path == "/traces/{id}/logs" }?.parameters.filter { $0.location == "query" }.map(\.name) ?? [])
        #expect(logs == Set(LogsRequest.parameterNames))
        let stream = Set(outline.operations.first { $0.path == Endpoint.traceStream.path }?.parameters.filter { $0.location == "query" }.map(\.name) ?? [])
        #expect(stream == Set(TraceStreamHandler.parameterNames))
        let list = Set(outline.operations.first { $0.path == "/traces" }?.parameters.map(\.name) ?? [])
        #expect(list == Set(TraceListRequest.parameterNames))
        let coverage = Set(outline.operations.first { $0.path == "/coverage" }?.parameters.map(\.name) ?? [])
        #expect(coverage == Set(CoverageRequest.parameterNames))
    }
}
