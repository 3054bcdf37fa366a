import Hummingbird

/// Requires the token on every request but `/healthz`, compared in constant time. Installed when
/// `http.token` is set (mandatory when listening beyond loopback).
///
/// Programs send `Authorization: Bearer <token>`. A browser cannot add a header to a page load or
/// an `EventSource`, so it opens `/?token=<token>` once: the token is checked, a session is kept in
/// an HttpOnly, SameSite=Strict cookie (other sites' pages cannot send it, the page's scripts
/// cannot read it), and the browser is sent to the same URL without the token, so it stays out of
/// the address bar and the history. Every request after that carries the cookie. The API only
/// reads (`GET` and `HEAD`), so a cookie cannot be used to change anything.
///
/// The cookie holds a random value made when the daemon starts, not the token: cookies are shared
/// by every port of a host name, so another service there sees it, and it must not be the token
/// (nor work as one). Its name carries the port, so two daemons on one host keep their own. A
/// restart ends the sessions: open `?token=` again.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]
    /// This process's session value: 32 random bytes in hex.
    let session: [UInt8]

    init(token: [UInt8]) {
        self.token = token
        var random = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        session = (0..<32).flatMap { _ -> [UInt8] in
            let byte = UInt8.random(in: 0...255, using: &random)
            return [digits[Int(byte >> 4)], digits[Int(byte & 15)]]
        }
    }

    /// `tracetail_<port>` for the port the browser asked (from `Host`), `tracetail_session` without one.
    static func cookieName(_ request: Request) -> String {
        let authority = request.head.authority ?? ""
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            let port = authority[authority.index(after: colon)...]
            if !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber) { return "tracetail_\(port)" }
        }
        return "tracetail_session"
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
        if header.isEmpty, let cookie = request.cookies[Self.cookieName(request)],
           Self.constantTimeEqual(Array(cookie.value.utf8), session) {
            return try await next(request, context)
        }
        throw Self.refused
    }

    static var refused: APIError {
        APIError(.unauthorized, "missing or wrong bearer token (Authorization: Bearer <http.token>; in a browser, open /?token=<http.token> once)")
    }

    /// 303 to the same path and parameters without `token`, setting the cookie.
    private func signIn(_ request: Request) -> Response {
        // Only this server's own paths: `//host` (or `/\\host`, which browsers read alike) would
        // send the browser elsewhere.
        let raw = request.uri.path
        let path = raw.hasPrefix("//") || raw.hasPrefix("/\\") || !raw.hasPrefix("/") ? "/" : raw
        let rest = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("token=") && $0 != "token" }
        var response = Response(
            status: .seeOther,
            headers: [.location: rest.isEmpty ? path : path + "?" + rest.joined(separator: "&"), .cacheControl: "no-store"])
        response.setCookie(Cookie(
            name: Self.cookieName(request), value: String(decoding: session, as: UTF8.self), path: "/", httpOnly: true,
            sameSite: .strict))
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
