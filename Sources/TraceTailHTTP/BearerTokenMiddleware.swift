import Hummingbird

/// Requires the token on every request but `/healthz`, compared in constant time. Installed when
/// `http.token` is set (mandatory when listening beyond loopback).
///
/// Programs send `Authorization: Bearer <token>`. A browser cannot add a header to a page load or
/// an `EventSource`, so it opens `/?token=<token>` once: the token is checked, kept in an HttpOnly,
/// SameSite=Strict cookie (other sites' pages cannot send it, the page's scripts cannot read it),
/// and the browser is sent to the same URL without the token, so it stays out of the address bar
/// and the history. Every request after that carries the cookie. The API only reads (`GET` and
/// `HEAD`), so a cookie cannot be used to change anything.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]
    /// The token as the cookie holds it: hex, so any token is a valid cookie value.
    let cookieValue: [UInt8]

    static var cookieName: String { "tracetail_token" }

    init(token: [UInt8]) {
        self.token = token
        let digits = Array("0123456789abcdef".utf8)
        cookieValue = token.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/healthz" { return try await next(request, context) }
        if let given = request.uri.queryParameters["token"] {
            guard Self.constantTimeEqual(Array(String(given).utf8), token) else { throw Self.refused }
            return signIn(request)
        }
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        if header.hasPrefix(prefix), Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), token) {
            return try await next(request, context)
        }
        if header.isEmpty, let cookie = request.cookies[Self.cookieName],
           Self.constantTimeEqual(Array(cookie.value.utf8), cookieValue) {
            return try await next(request, context)
        }
        throw Self.refused
    }

    static var refused: APIError {
        APIError(.unauthorized, "missing or wrong bearer token (Authorization: Bearer <http.token>; in a browser, open /?token=<http.token> once)")
    }

    /// 303 to the same path and parameters without `token`, setting the cookie.
    private func signIn(_ request: Request) -> Response {
        // Only this server's own paths: `//host` would send the browser elsewhere.
        let path = request.uri.path.hasPrefix("//") ? "/" : request.uri.path
        let rest = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("token=") && $0 != "token" }
        var response = Response(
            status: .seeOther,
            headers: [.location: rest.isEmpty ? path : path + "?" + rest.joined(separator: "&"), .cacheControl: "no-store"])
        response.setCookie(Cookie(
            name: Self.cookieName, value: String(decoding: cookieValue, as: UTF8.self), path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
