import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import NIOCore
import Logging
import ServiceLifecycle
import TraceTailCore
import TraceTailHTTP

/// The API served on 127.0.0.1 with a server configuration of the test's own, for tests that need
/// every connection to be theirs (HummingbirdTesting's live client holds one of its own).
enum LiveServer {
    static func run(
        _ configuration: HTTPServerConfiguration, dependencies: APIDependencies,
        _ body: @escaping @Sendable (RawHTTP) async throws -> Void
    ) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        try await serve(
            TraceTailAPI.router(dependencies), server: TraceTailAPI.server(configuration, logger: logger).builder
        ) { port in try await body(RawHTTP(port: port)) }
    }

    /// Serves `router` on 127.0.0.1 (a port the kernel picks) for the length of `body`, which is
    /// given the port; then shuts the server down, whether `body` threw or not.
    static func serve<Value: Sendable>(
        _ router: Router<BasicRequestContext>, server: HTTPServerBuilder,
        _ body: @escaping @Sendable (Int) async throws -> Value
    ) async throws -> Value {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let (ports, portReady) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portReady.yield(channel.localAddress?.port ?? 0)
                portReady.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw DaemonError("the server did not start") }
            let result: Result<Value, any Error>
            do {
                result = .success(try await body(port))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}

/// HummingbirdTesting's `.live` set-up (the app on 127.0.0.1, a real HTTP client on a socket) with
/// a read timeout of the test's choosing: `.live` fixes it at 20 s, which a loaded CI machine
/// (a parallel suite, other builds) exceeds now and then on a debug build, failing a test that
/// has nothing wrong. The timeout only bounds a hang; no test measures speed with it.
struct LiveClient: Sendable {
    struct Response: Sendable {
        var head: HTTPResponse
        var body: ByteBuffer
        var status: HTTPResponse.Status { head.status }
        var headers: HTTPFields { head.headerFields }
    }

    let client: TestClient
    let port: Int?

    static let readTimeout: Duration = .seconds(180)

    /// Serves `router` (and `server`, the connection handling) on 127.0.0.1 for the length of `body`.
    static func test<Value: Sendable>(
        _ router: Router<BasicRequestContext>,
        server: HTTPServerBuilder = .http1(),
        _ body: @escaping @Sendable (LiveClient) async throws -> Value
    ) async throws -> Value {
        try await LiveServer.serve(router, server: server) { port in
            let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: readTimeout))
            client.connect()
            let result: Result<Value, any Error>
            do {
                result = .success(try await body(LiveClient(client: client, port: port)))
            } catch {
                result = .failure(error)
            }
            try? await client.shutdown()
            return try result.get()
        }
    }

    /// Sends a request and hands the response to `check`, as HummingbirdTesting's clients do.
    @discardableResult
    func execute<Return>(
        uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
        _ check: (Response) async throws -> Return
    ) async throws -> Return {
        var headers = headers
        headers[.connection] = "keep-alive"
        let response = try await client.execute(
            TestClient.Request(uri, method: method, authority: "localhost", headers: headers, body: body))
        return try await check(Response(head: response.head, body: response.body ?? ByteBuffer()))
    }
}
