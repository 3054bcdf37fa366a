import Hummingbird
import Logging
import Metrics
import TraceTailCore
import TraceTailQuery

/// What the HTTP layer needs from the rest of the daemon.
package struct APIDependencies: Sendable {
    package var store: any LogStore
    package var parser: RecordParser
    /// Whether the daemon's answers are complete, for `/readyz` (always ready without a tailer).
    package var readiness: @Sendable () -> Readiness
    /// Extra figures for `/stats` (the tailer's), as JSON fields.
    package var tailerStats: @Sendable () -> [(String, Int64)]
    /// Extra text figures for `/stats` (the host's name, the shipper's last error).
    package var textStats: @Sendable () -> [(String, String?)]
    /// The Prometheus text for `/metrics`.
    package var metricsText: @Sendable () -> String
    /// Where the API's own metrics go (the bootstrapped factory unless told otherwise).
    package var metricsFactory: any MetricsFactory
    /// When set, every request but `/healthz` needs `Authorization: Bearer <token>`.
    package var token: String?
    /// The application's Workflow and AgentTask rows (`--correlate`); nil: answers from the logs
    /// alone, saying `"database": "not configured"`.
    package var rows: (any ApplicationRows)?
    /// How often `GET /traces/{id}/logs/stream` looks for new records, and how long it stays
    /// silent before it sends a heartbeat comment.
    package var streamTiming: TraceStreamHandler.Timing

    package init(
        store: any LogStore,
        parser: RecordParser = RecordParser(),
        readiness: @escaping @Sendable () -> Readiness = { Readiness(ready: true) },
        tailerStats: @escaping @Sendable () -> [(String, Int64)] = { [] },
        textStats: @escaping @Sendable () -> [(String, String?)] = { [] },
        metricsText: @escaping @Sendable () -> String = { "" },
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        token: String? = nil,
        rows: (any ApplicationRows)? = nil,
        streamTiming: TraceStreamHandler.Timing = .init()
    ) {
        self.store = store
        self.parser = parser
        self.readiness = readiness
        self.tailerStats = tailerStats
        self.textStats = textStats
        self.metricsText = metricsText
        self.metricsFactory = metricsFactory
        self.token = token
        self.rows = rows
        self.streamTiming = streamTiming
    }
}

/// The HTTP API's routes.
package enum TraceTailAPI {
    /// Every (method, path) the router serves, paths as OpenAPI writes them.
    package static let routes: [(method: String, path: String)] = Endpoint.allCases.map { ($0.method.rawValue, $0.path) }

    /// The query latency histogram (per endpoint) and the buckets it is best read with, from 1 ms.
    package static let latencyHistogram = (label: APIMetrics.latencyLabel, buckets: APIMetrics.latencyBuckets)

    /// Every endpoint answers `GET`, and `HEAD` the same way (`ErrorMiddleware` drops the body).
    package static func router(_ dependencies: APIDependencies) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware())
        if let token = dependencies.token { router.add(middleware: BearerTokenMiddleware(token: Array(token.utf8))) }
        let metrics = APIMetrics(factory: dependencies.metricsFactory)
        let logs = LogsHandler(store: dependencies.store, presenter: RecordPresenter(parser: dependencies.parser), rows: dependencies.rows)
        let traces = TraceHandlers(store: dependencies.store, rows: dependencies.rows)
        let correlation = CorrelationHandlers(store: dependencies.store, rows: dependencies.rows)
        let stream = TraceStreamHandler(
            store: dependencies.store, presenter: RecordPresenter(parser: dependencies.parser), timing: dependencies.streamTiming)
        let status = StatusHandlers(dependencies: dependencies, metrics: metrics)
        for endpoint in Endpoint.allCases {
            let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
                let start = ContinuousClock.now
                do {
                    let response: Response
                    switch endpoint {
                    case .traceLogs, .spanLogs, .workflowLogs, .taskLogs:
                        response = try await logs.answer(endpoint.logsKind!, request, context)
                    case .traceStream: response = try stream.answer(request, context)
                    case .trace: response = try await traces.overview(request, context)
                    case .traces: response = try await traces.list(request)
                    case .coverage: response = try await traces.coverage(request)
                    case .workflow: response = try await correlation.workflow(request, context)
                    case .task: response = try await correlation.task(request, context)
                    case .healthz, .readyz, .stats, .metrics:
                        try QueryParameters.requireNone(request)
                        response = try await status.answer(endpoint, logger: context.logger)
                    }
                    metrics.record(endpoint, status: response.status, since: start)
                    return response
                } catch {
                    // The query layer's errors become the API's here, so that they are counted
                    // with the status the client gets.
                    let answered: any Error = (error as? QueryError).map(APIError.init) ?? error
                    metrics.record(endpoint, status: (answered as? any HTTPResponseError)?.status ?? .internalServerError, since: start)
                    throw answered
                }
            }
            router.on(endpoint.routerPath, method: endpoint.method, use: handler)
            router.on(endpoint.routerPath, method: .head, use: handler)
        }
        WebPage.addRoutes(to: router)
        return router
    }
}
