import Hummingbird

/// The browser page (docs/web.md): `GET /` and its script and style sheet, compiled into the
/// binary from web/ (``WebAssets``, written by scripts/embed-web.sh). The page itself routes in
/// the URL's fragment (`/#/traces/<id>?level=warn`), so these three paths are all the server
/// serves for it; everything it shows comes from the API. They are not API endpoints (not in
/// ``Endpoint`` nor docs/openapi.yaml) and need the token like every path but `/healthz`.
package enum WebPage {
    package struct Asset: Sendable {
        package var path: String
        package var contentType: String
        package var text: String
        /// The file in web/ it is made from.
        package var source: String
    }

    package static let assets: [Asset] = [
        Asset(path: "/", contentType: "text/html; charset=utf-8", text: WebAssets.indexHTML, source: "index.html"),
        Asset(path: "/ui/app.js", contentType: "text/javascript; charset=utf-8", text: WebAssets.appJS, source: "app.js"),
        Asset(path: "/ui/app.css", contentType: "text/css; charset=utf-8", text: WebAssets.appCSS, source: "app.css"),
    ]

    static func addRoutes(to router: Router<BasicRequestContext>) {
        for asset in assets {
            let bytes = ByteBuffer(string: asset.text)
            let headers: HTTPFields = [.contentType: asset.contentType, .cacheControl: "no-cache"]
            let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
                Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: bytes))
            }
            router.on(RouterPath(asset.path), method: .get, use: handler)
            router.on(RouterPath(asset.path), method: .head, use: handler)
        }
    }
}
