import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /traces`: recent traces newest first, filtered, and every bad parameter refused.
@Suite("GET /traces")
struct TraceListTests {
    typealias F = SpanFixture

    static func ids(_ response: LiveClient.Response) -> [String] {
        (response.object["traces"] as? [[String: Any]] ?? []).compactMap { $0["trace_id"] as? String }
    }

    @Test("newest first, with totals; since, until, app, errors and limit narrow it")
    func list() async throws {
        try await F.withAPI { client, _ in
            try await client.execute(uri: "/traces", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["count"] as? Int == 2)
                #expect(Self.ids(response) == [F.traceCanonical, F.other])
                let first = try #require((response.object["traces"] as? [[String: Any]])?.first)
                #expect(first["first"] as? String == "2026-07-02T10:00:00.000Z")
                #expect(first["last"] as? String == "2026-07-02T10:00:00.040Z")
                #expect(first["duration_ms"] as? Int == 40)
                #expect(first["records"] as? Int == 7)
                #expect(first["errors"] as? Int == 2)
                #expect(first["apps"] as? [String] == ["agent-scaffold", "api", "orchestrator"])
            }
            let cases: [(String, [String])] = [
                ("?limit=1", [F.traceCanonical]),
                ("?errors=true", [F.traceCanonical]),
                ("?errors=false", [F.traceCanonical, F.other]),
                ("?app=api", [F.traceCanonical]),
                ("?app=nobody", []),
                ("?since=2026-07-02T10:00:00.006Z", [F.traceCanonical]),
                ("?until=\(F.base + 5)", [F.traceCanonical, F.other]),
                ("?since=\(F.base + 5)&until=\(F.base + 5)", [F.other]),
                ("?since=2026-07-03", []),
            ]
            for (query, expected) in cases {
                try await client.execute(uri: "/traces" + query, method: .get) { response in
                    #expect(response.status == .ok, "\(query)")
                    #expect(Self.ids(response) == expected, "\(query)")
                }
            }
        }
    }

    @Test("every bad parameter is a 400 naming it")
    func badParameters() async throws {
        try await F.withAPI { client, _ in
            let cases: [(String, String)] = [
                ("limit=0", "parameter 'limit'"),
                ("limit=1001", "parameter 'limit'"),
                ("limit=ten", "parameter 'limit'"),
                ("errors=yes", "parameter 'errors'"),
                ("since=noon", "parameter 'since'"),
                ("until=", "parameter 'until'"),
                ("since=\(F.base + 10)&until=\(F.base)", "'since' is after 'until'"),
                ("errors=true&errors=true", "parameter 'errors' is given more than once"),
                ("level=error", "unknown parameter 'level'"),
                ("app=" + String(repeating: "a", count: 2000), "parameter 'app' is longer than 1024 bytes"),
            ]
            for (query, message) in cases {
                try await client.execute(uri: "/traces?" + query, method: .get) { response in
                    #expect(response.status == .badRequest, "\(query.prefix(40))")
                    let error = response.object["error"] as? String
                    #expect(error?.contains(message) == true, "\(query.prefix(40)): \(error ?? "no error")")
                }
            }
        }
    }
}
