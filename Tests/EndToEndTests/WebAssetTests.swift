import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TraceTailHTTP

/// The page's files are compiled into the binary (scripts/embed-web.sh writes them into
/// `WebAssets`): what the daemon serves is byte for byte what web/ holds, with the right types,
/// and the page names nothing outside the daemon.
@Suite("Web page assets")
struct WebAssetTests {
    static let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("web")

    @Test("GET /, /ui/app.js and /ui/app.css serve web/ byte for byte (run scripts/embed-web.sh after editing web/)")
    func servedBytesAreTheSources() async throws {
        try await SpanFixture.withAPI { client, _ in
            for asset in WebPage.assets {
                let source = try Data(contentsOf: Self.web.appendingPathComponent(asset.source))
                try await client.execute(uri: asset.path, method: .get) { response in
                    #expect(response.status == .ok, "\(asset.path)")
                    #expect(response.headers[.contentType] == asset.contentType)
                    #expect(Data(buffer: response.body) == source, "\(asset.path) differs from web/\(asset.source): run scripts/embed-web.sh")
                }
                try await client.execute(uri: asset.path, method: .head) { response in
                    #expect(response.status == .ok)
                    #expect(response.body.readableBytes == 0)
                }
            }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.web.path).sorted()
        #expect(files == WebPage.assets.map(\.source).sorted(), "every file in web/ is served")
    }

    @Test("the page loads nothing from elsewhere: no http(s) URL, no protocol-relative one, no @import")
    func nothingExternal() throws {
        for asset in WebPage.assets {
            for needle in ["http://", "https://", "src=\"//", "href=\"//", "url(", "@import"] {
                #expect(!asset.text.contains(needle), "\(asset.source) contains \(needle)")
            }
        }
    }

    @Test("the page needs the token like the API when one is set")
    func token() async throws {
        try await SpanFixture.withAPI(token: "s3cret") { client, _ in
            try await client.execute(uri: "/", method: .get) { response in #expect(response.status == .unauthorized) }
            try await client.execute(uri: "/", method: .get, headers: [.authorization: "Bearer s3cret"]) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
