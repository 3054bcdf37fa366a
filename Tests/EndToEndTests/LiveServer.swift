import Hummingbird
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
        let (ports, portReady) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: TraceTailAPI.router(dependencies),
            server: TraceTailAPI.server(configuration, logger: logger).builder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portReady.yield(channel.localAddress?.port ?? 0)
                portReady.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw DaemonError("the server did not start") }
            do {
                try await body(RawHTTP(port: port))
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
