import Hummingbird
import Logging
import ServiceLifecycle
import TraceTailHTTP

extension Bootstrap {
    /// The API on the configured address, with tracetail's connection handling, for `serve` and
    /// the fleet's query node alike. `started` gets the port bound (the configured one, or the
    /// kernel's choice for port 0) to write the one start-up line that says where everything is.
    static func httpApplication(
        _ dependencies: APIDependencies, settings: Settings, logger: Logger,
        started: @escaping @Sendable (_ address: String, _ connectionLimit: Int) -> Void
    ) -> some Service {
        let server = TraceTailAPI.server(settings.httpServer, logger: logger)
        let host = settings.listenHost
        let port = settings.listenPort
        return Application(
            router: TraceTailAPI.router(dependencies),
            server: server.builder,
            configuration: .init(address: .hostname(host, port: port), serverName: "tracetail"),
            onServerRunning: { channel in started("\(host):\(channel.localAddress?.port ?? port)", server.connectionLimit) },
            logger: logger)
    }
}
