import TraceTailCore

/// A logs request, validated: the id it asks for, the filters and paging parameters, the format.
/// The HTTP endpoints and `tracetail logs` build it from the same parameters, so both accept and
/// refuse the same things with the same messages.
package struct LogsRequest: Sendable {
    package enum Format: String, Sendable { case json, ndjson, text }

    package var id: RequestedID
    package var query: RecordQuery
    package var format: Format = .json
    /// `q`: a substring of the message, ASCII case-insensitive.
    package var messageFilter: String?

    package static let maximumLimit = 10_000
    package static let defaultLimit = 1_000
    /// Every parameter the logs endpoints take (documented in docs/openapi.yaml).
    package static let parameterNames = ["span_id", "app", "level", "since", "until", "q", "limit", "cursor", "order", "format"]

    package init(id: RequestedID, parameters: QueryParameters) throws {
        self.id = id
        query = RecordQuery(key: id.key, limit: Self.defaultLimit)
        var apps = Set<String>()
        for (name, value) in parameters.items {
            switch name {
            case "span_id":
                guard let span = SpanID(value) else {
                    throw QueryError.badRequest("parameter 'span_id': malformed span id '\(QueryParameters.clip(value))'")
                }
                query.span = span.key
            case "app":
                QueryParameters.apps(value, into: &apps)
            case "level":
                guard let level = LogLevel(name: value) else {
                    throw QueryError.badRequest("parameter 'level': '\(QueryParameters.clip(value))' is not one of trace, debug, info, warn, error, fatal or 10, 20, ... 60")
                }
                query.minimumLevel = level
            case "since":
                query.since = try QueryParameters.time(value, parameter: name)
            case "until":
                query.until = try QueryParameters.time(value, parameter: name)
            case "q":
                guard !value.isEmpty else { throw QueryError.badRequest("parameter 'q' is empty") }
                messageFilter = value
            case "limit":
                query.limit = try QueryParameters.integer(value, parameter: name, in: 1...Self.maximumLimit)
            case "cursor":
                guard let cursor = RecordCursor(token: value) else {
                    throw QueryError.badRequest("parameter 'cursor': '\(QueryParameters.clip(value))' is not a cursor from a previous answer")
                }
                query.after = cursor
            case "order":
                guard let order = RecordQuery.Order(rawValue: value) else {
                    throw QueryError.badRequest("parameter 'order': '\(QueryParameters.clip(value))' is not 'asc' or 'desc'")
                }
                query.order = order
            case "format":
                guard let parsed = Format(rawValue: value) else {
                    throw QueryError.badRequest("parameter 'format': '\(QueryParameters.clip(value))' is not 'json', 'ndjson' or 'text'")
                }
                format = parsed
            default:
                throw QueryParameters.unknown(name)
            }
        }
        if let since = query.since, let until = query.until, since > until {
            throw QueryError.badRequest("parameter 'since' is after 'until'")
        }
        if !apps.isEmpty { query.apps = apps }
    }

    /// The store query, with the message filter as a predicate (the message is parsed again from
    /// the record's text, so the filter needs the presenter's parser).
    package func recordQuery(presenter: RecordPresenter) -> RecordQuery {
        var query = query
        if let needle = messageFilter.map(ASCIICaseInsensitive.init) {
            query.predicate = { record, file in
                needle.isFound(in: presenter.fields(of: StoredRecord(record: record, file: file)).message)
            }
        }
        return query
    }

    /// Reads the page, telling an unknown id (404) from filters that excluded everything (200).
    package func read(from store: any LogStore, presenter: RecordPresenter) async throws -> RecordPage {
        let page = try await store.records(recordQuery(presenter: presenter))
        if page.records.isEmpty, page.unreadableBlocks == 0, query.after == nil {
            if try await store.records(RecordQuery(key: query.key, limit: 1)).records.isEmpty {
                throw QueryError.notFound("no records for \(id.kind.name) id '\(id.canonical)'")
            }
        }
        return page
    }
}
