import Hummingbird
import TraceTailCore
import TraceTailQuery

/// `GET /traces/{id}` (a trace's summary and span tree) and `GET /traces` (recent traces).
struct TraceHandlers: Sendable {
    let store: any LogStore
    let rows: (any ApplicationRows)?

    func overview(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try RequestedID(kind: .trace, pathSegment: context.parameters.get("id") ?? "")
        try QueryParameters.requireNone(request)
        let overview = try await TraceOverviewReader(store: store).overview(of: id)
        let (holding, database) = await CorrelationReader(store: store, rows: rows).rows(forTrace: id)
        return Response.json(CorrelationJSON.encode(overview, rows: holding, database: database))
    }

    func list(_ request: Request) async throws -> Response {
        let list = try TraceListRequest(request: request)
        return Response.json(TraceListJSON.encode(try await store.traces(list.query)))
    }

    /// `GET /coverage`: how much of each app's records carry trace context.
    func coverage(_ request: Request) async throws -> Response {
        let coverage = try CoverageRequest(parameters: QueryParameters(request, repeatable: ["app"]))
        return Response.json(CoverageJSON.encode(try await store.coverage(coverage.query), query: coverage.query))
    }
}
