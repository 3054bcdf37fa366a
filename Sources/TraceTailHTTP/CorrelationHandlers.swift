import Hummingbird
import TraceTailCore
import TraceTailQuery

/// `GET /workflows/{id}` and `GET /tasks/{id}`: the application's row, its tasks, the trace and
/// the findings. The rows come through `ApplicationRows` (never SQL here); a database that is not
/// configured or does not answer is said in `database`, and the answer comes from the logs.
struct CorrelationHandlers: Sendable {
    let store: any LogStore
    let rows: (any ApplicationRows)?

    func workflow(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try RequestedID(kind: .workflow, pathSegment: context.parameters.get("id") ?? "")
        try QueryParameters.requireNone(request)
        let answer = try await CorrelationReader(store: store, rows: rows).workflow(id)
        return Response.json(CorrelationJSON.encode(answer))
    }

    func task(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try RequestedID(kind: .task, pathSegment: context.parameters.get("id") ?? "")
        try QueryParameters.requireNone(request)
        let answer = try await CorrelationReader(store: store, rows: rows).task(id)
        return Response.json(CorrelationJSON.encode(answer))
    }
}
