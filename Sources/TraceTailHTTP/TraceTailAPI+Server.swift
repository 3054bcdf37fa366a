import HummingbirdCore
import Logging
import Metrics

extension TraceTailAPI {
    /// The HTTP/1 server for `Application(server:)`: Hummingbird's, with the connection limit and
    /// timeouts of `configuration` (``GuardedHTTP1Channel``). `connectionLimit` is the limit
    /// actually applied (``HTTPServerConfiguration/connectionLimit(descriptorLimit:)``).
    package static func server(
        _ configuration: HTTPServerConfiguration,
        descriptorLimit: Int? = HTTPServerConfiguration.descriptorLimit(),
        logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) -> (builder: HTTPServerBuilder, connectionLimit: Int) {
        let limit = configuration.connectionLimit(descriptorLimit: descriptorLimit)
        let builder = HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                responder: responder, configuration: configuration,
                limiter: ConnectionLimiter(limit: limit, logger: logger, factory: metricsFactory))
        }
        return (builder, limit)
    }
}
