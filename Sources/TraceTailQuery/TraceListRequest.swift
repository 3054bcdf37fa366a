import TraceTailCore

/// `GET /traces`, validated: the window, apps, errors only, and how many.
package struct TraceListRequest: Sendable {
    package var query = TraceListQuery(limit: Self.defaultLimit)

    package static let defaultLimit = 50
    package static let maximumLimit = 1_000
    /// Every parameter `GET /traces` takes (documented in docs/openapi.yaml).
    package static let parameterNames = ["since", "until", "app", "host", "errors", "limit"]

    package init(parameters: QueryParameters) throws {
        var scope = ScopeParameters()
        for (name, value) in parameters.items {
            if try scope.take(name, value) { continue }
            switch name {
            case "errors":
                switch value {
                case "true", "1": query.errorsOnly = true
                case "false", "0": query.errorsOnly = false
                default: throw QueryError.badRequest("parameter 'errors': '\(QueryParameters.clip(value))' is not 'true' or 'false'")
                }
            case "limit":
                query.limit = try QueryParameters.integer(value, parameter: name, in: 1...Self.maximumLimit)
            default:
                throw QueryParameters.unknown(name)
            }
        }
        try scope.validate()
        query.since = scope.since
        query.until = scope.until
        query.apps = scope.apps
        query.hosts = scope.hosts
    }
}
