import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The bearer-token rule over real HTTP: with `http.token` set, every endpoint but `/healthz`
/// needs `Authorization: Bearer <token>`.
@Suite("Bearer token")
struct AuthTests {
    typealias F = SpanFixture
    static let token = "s3cret-Token_with.some~chars"

    @Test("missing, wrong, near-miss and right tokens on every endpoint; /healthz stays open")
    func token() async throws {
        try await F.withAPI(token: Self.token) { client, _ in
            let paths = [
                "/traces/\(F.trace)/logs", "/spans/\(F.spanB)/logs", "/workflows/\(F.workflow)/logs", "/tasks/\(F.task)/logs",
                "/traces/\(F.trace)", "/traces", "/readyz", "/stats", "/metrics", "/no/such/endpoint",
            ]
            let values: [String?] = [
                nil, "Bearer wrong", "Bearer " + String(Self.token.dropLast()), "Bearer " + Self.token + "x",
                "bearer " + Self.token, "Basic " + Self.token, Self.token, "Bearer  " + Self.token, "Bearer ",
            ]
            let wrong: [HTTPFields] = values.map { value in value.map { [.authorization: $0] } ?? [:] }
            for path in paths {
                for headers in wrong {
                    try await client.execute(uri: path, method: .get, headers: headers) { response in
                        #expect(response.status == .unauthorized, "\(path) \(headers)")
                        #expect((response.object["error"] as? String)?.contains("bearer token") == true)
                    }
                }
                try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer " + Self.token]) { response in
                    #expect(response.status == (path == "/no/such/endpoint" ? .notFound : .ok), "\(path)")
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("without a token configured, no header is needed")
    func open() async throws {
        try await F.withAPI { client, _ in
            try await client.execute(uri: "/traces/\(F.trace)", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
