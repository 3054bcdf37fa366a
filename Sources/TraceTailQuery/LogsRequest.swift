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
    /// `include=related`: also the records that share a workflow or task id with the page's records
    /// but carry no trace id (written before the trace id was set, or where context was lost).
    package var includeRelated = false

    package static let maximumLimit = 10_000
    package static let defaultLimit = 1_000
    /// Every parameter the logs endpoints take (documented in docs/openapi.yaml).
    package static let parameterNames = ["span_id", "app", "host", "level", "since", "until", "q", "limit", "cursor", "order", "format", "include"]

    package init(id: RequestedID, parameters: QueryParameters) throws {
        self.id = id
        query = RecordQuery(key: id.key, limit: Self.defaultLimit)
        var scope = ScopeParameters()
        for (name, value) in parameters.items {
            if try scope.take(name, value) { continue }
            switch name {
            case "span_id":
                guard let span = SpanID(value) else {
                    throw QueryError.badRequest("parameter 'span_id': malformed span id '\(QueryParameters.clip(value))'")
                }
                query.span = span.key
            case "level":
                guard let level = LogLevel(name: value) else {
                    throw QueryError.badRequest("parameter 'level': '\(QueryParameters.clip(value))' is not one of trace, debug, info, warn, error, fatal or 10, 20, ... 60")
                }
                query.minimumLevel = level
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
            case "include":
                guard value == "related" else {
                    throw QueryError.badRequest("parameter 'include': '\(QueryParameters.clip(value))' is not 'related'")
                }
                includeRelated = true
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
        return includeRelated ? try await withRelated(page, from: store, presenter: presenter) : page
    }

    /// The page with the records that share its records' workflow and task ids but carry no trace
    /// id, each once, in the page's order, marked in `related`. They pass the same filters (window,
    /// apps, level, message); they are not counted against `limit` and come with every page whose
    /// records name their ids (a later page naming the same workflow brings them again).
    private func withRelated(_ page: RecordPage, from store: any LogStore, presenter: RecordPresenter) async throws -> RecordPage {
        var keys: [IDKey] = []
        var named = Set<IDKey>()
        for stored in page.records {
            for key in [stored.record.workflow, stored.record.task].compactMap({ $0 }) where named.insert(key).inserted { keys.append(key) }
        }
        guard !keys.isEmpty else { return page }
        var result = page
        var present = Set(page.records.map(\.cursor))
        for key in keys {
            var related = recordQuery(presenter: presenter)
            related.key = key
            related.span = nil
            related.after = nil
            related.limit = Self.maximumLimit
            let base = related.predicate
            related.predicate = { record, file in record.trace == nil && (base?(record, file) ?? true) }
            let found = try await store.records(related)
            result.unreadableBlocks = max(result.unreadableBlocks, found.unreadableBlocks)
            for stored in found.records where present.insert(stored.cursor).inserted {
                result.records.append(stored)
                result.related.insert(stored.cursor)
            }
        }
        let ascending = query.order == .ascending
        result.records.sort { ascending ? $0.cursor < $1.cursor : $1.cursor < $0.cursor }
        return result
    }
}
