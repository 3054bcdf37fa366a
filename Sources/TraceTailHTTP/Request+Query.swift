import Hummingbird
import TraceTailCore
import TraceTailQuery

// The query layer's requests, read from an HTTP request: the path's id and the query string.

extension QueryParameters {
    /// Reads the query string of a request (values percent-decoded, as Hummingbird gives them).
    init(_ request: Request, repeatable: Set<String> = []) throws {
        if let query = request.uri.query, query.utf8.count > Self.maximumQueryBytes {
            throw QueryError.badRequest("query string is longer than \(Self.maximumQueryBytes) bytes")
        }
        let parameters = request.uri.queryParameters
        try self.init(pairs: parameters.map { (String($0.key), String($0.value)) }, repeatable: repeatable)
    }

    /// For endpoints that take no parameters: any is refused (after the shared checks).
    static func requireNone(_ request: Request) throws {
        if let (name, _) = try QueryParameters(request).items.first { throw unknown(name) }
    }
}

extension LogsRequest {
    /// Reads the id from the path and the parameters from the query string; every problem is a
    /// 400 naming the parameter.
    init(kind: IDKind, rawID: String, request: Request) throws {
        let id = try RequestedID(kind: kind, pathSegment: rawID)
        try self.init(id: id, parameters: QueryParameters(request, repeatable: ["app", "host"]))
    }
}

extension TraceListRequest {
    init(request: Request) throws {
        try self.init(parameters: QueryParameters(request, repeatable: ["app", "host"]))
    }
}
