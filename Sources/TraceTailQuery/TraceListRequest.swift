import TraceTailCore

/// `GET /traces`, validated: the window, apps, errors only, and how many.
package struct TraceListRequest: Sendable {
    package var query = TraceListQuery(limit: Self.defaultLimit)

    package static let defaultLimit = 50
    package static let maximumLimit = 1_000
    /// Every parameter `GET /traces` takes (documented in docs/openapi.yaml).
    package static let parameterNames = ["since", "until", "app", "host", "errors", "limit"]

    package init(parameters: QueryParameters) throws {
        var apps = Set<String>()
        var hosts = Set<String>()
        for (name, value) in parameters.items {
            switch name {
            case "since":
                query.since = try QueryParameters.time(value, parameter: name)
            case "until":
                query.until = try QueryParameters.time(value, parameter: name)
            case "app":
                QueryParameters.apps(value, into: &apps)
            case "host":
                QueryParameters.apps(value, into: &hosts)
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
        if let since = query.since, let until = query.until, since > until {
            throw QueryError.badRequest("parameter 'since' is after 'until'")
        }
        if !apps.isEmpty { query.apps = apps }
        if !hosts.isEmpty { query.hosts = hosts }
    }
}
