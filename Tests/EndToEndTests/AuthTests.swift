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

    @Test("a browser signs in with ?token= once: a 303 without it, an HttpOnly SameSite=Strict session cookie that opens every path")
    func browserSignIn() async throws {
        try await F.withAPI(token: Self.token) { client, _ in
            var session = ""
            try await client.execute(uri: "/traces?limit=5&token=\(Self.token)&app=api", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/traces?limit=5&app=api")
                let cookie = response.headers[.setCookie] ?? ""
                #expect(cookie.hasPrefix("tracetail_"), "\(cookie)")
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), "\(cookie)")
                session = String(cookie.split(separator: ";")[0])
            }
            let value = String(session.split(separator: "=").last ?? "")
            // A session value, not the token in any spelling, and no use as a bearer token.
            #expect(value.count == 64 && !value.contains(Self.token))
            let hex = Self.token.utf8.map { String(format: "%02x", $0) }.joined()
            #expect(value != hex)
            try await client.execute(uri: "/traces", method: .get, headers: [.authorization: "Bearer " + value]) { response in
                #expect(response.status == .unauthorized)
            }
            for path in ["/", "/traces", "/traces/\(F.trace)", "/traces/\(F.trace)/logs", "/stats"] {
                try await client.execute(uri: path, method: .get, headers: [.cookie: "other=1; \(session)"]) { response in
                    #expect(response.status == .ok, "\(path)")
                }
            }
            // A wrong token, a wrong cookie, or a wrong header beside a right cookie: refused.
            try await client.execute(uri: "/?token=wrong", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie] == nil)
            }
            try await client.execute(uri: "/traces", method: .get, headers: [.cookie: "\(session)00"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/traces", method: .get, headers: [.cookie: session, .authorization: "Bearer wrong"]) { response in
                #expect(response.status == .unauthorized)
            }
            // The redirect stays on this server whatever the path (sent raw: a backslash is no
            // character an HTTP client library sends, but a browser reads `/\\host` as `//host`).
            let raw = RawHTTP(port: try #require(client.port))
            for path in ["//evil.example/", "/\\evil.example/"] {
                let answer = try await raw.send("GET \(path)?token=\(Self.token) HTTP/1.1")
                #expect(answer.status == 303, "\(path): \(answer.head)")
                #expect(answer.head.lowercased().contains("location: /\r\n"), "\(path): \(answer.head)")
            }
        }
    }
}
