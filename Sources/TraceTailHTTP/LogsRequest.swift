import Hummingbird
import TraceTailCore

/// A logs request, validated: the id it asks for and the filters and paging parameters.
struct LogsRequest {
    enum Format: String { case json, ndjson, text }

    var query: RecordQuery
    var format: Format
    /// The id as the answer names it (canonical form).
    var canonicalID: String
    var messageFilter: String?

    static let maximumLimit = 10_000
    static let defaultLimit = 1_000
    static let maximumParameterBytes = 1_024
    static let maximumParameters = 32

    /// Reads the id from the path and the parameters from the query string; every problem is a
    /// 400 naming the parameter.
    init(kind: IDKind, rawID: String, request: Request) throws {
        guard !rawID.isEmpty, rawID.utf8.count <= TraceID.maximumOpaqueLength else {
            throw APIError.badRequest("\(kind.name) id must be 1 to \(TraceID.maximumOpaqueLength) characters")
        }
        let key: IDKey
        switch kind {
        case .trace:
            guard let id = TraceID(rawID) else {
                throw APIError.badRequest("malformed trace id '\(Self.clip(rawID))': expected a UUID, 32 hex characters, or a printable opaque id (not all zeros)")
            }
            key = id.key
            canonicalID = id.canonical
        case .span:
            guard let id = SpanID(rawID) else {
                throw APIError.badRequest("malformed span id '\(Self.clip(rawID))': expected 16 hex characters or a printable opaque id (not all zeros)")
            }
            key = id.key
            canonicalID = id.canonical
        case .workflow, .task:
            guard let id = BusinessID(kind == .workflow ? .workflow : .task, rawID) else {
                throw APIError.badRequest("malformed \(kind.name) id '\(Self.clip(rawID))': expected a printable id of up to 128 characters")
            }
            key = id.key
            canonicalID = id.canonical
        }
        var query = RecordQuery(key: key, limit: Self.defaultLimit)
        var format = Format.json
        var apps = Set<String>()
        let items = request.uri.queryParameters
        guard items.count <= Self.maximumParameters else {
            throw APIError.badRequest("too many query parameters (at most \(Self.maximumParameters))")
        }
        var seen = Set<String>()
        for (rawName, rawValue) in items {
            let name = String(rawName)
            let value = String(rawValue)
            guard value.utf8.count <= Self.maximumParameterBytes else {
                throw APIError.badRequest("parameter '\(Self.clip(name))' is longer than \(Self.maximumParameterBytes) bytes")
            }
            if name != "app", !seen.insert(name).inserted {
                throw APIError.badRequest("parameter '\(Self.clip(name))' is given more than once")
            }
            switch name {
            case "span_id" where kind != .span:
                guard let span = SpanID(value) else { throw APIError.badRequest("parameter 'span_id': malformed span id '\(Self.clip(value))'") }
                query.span = span.key
            case "app":
                for app in value.split(separator: ",") where !app.isEmpty { apps.insert(String(app)) }
            case "level":
                guard let level = LogLevel(name: value) else {
                    throw APIError.badRequest("parameter 'level': '\(Self.clip(value))' is not one of trace, debug, info, warn, error, fatal or 10-60")
                }
                query.minimumLevel = level
            case "since":
                query.since = try Self.time(value, parameter: name)
            case "until":
                query.until = try Self.time(value, parameter: name)
            case "q":
                guard !value.isEmpty else { throw APIError.badRequest("parameter 'q' is empty") }
                messageFilter = value
            case "limit":
                guard let limit = Int(value), (1...Self.maximumLimit).contains(limit) else {
                    throw APIError.badRequest("parameter 'limit': '\(Self.clip(value))' is not a whole number from 1 to \(Self.maximumLimit)")
                }
                query.limit = limit
            case "cursor":
                guard let cursor = RecordCursor(token: value) else {
                    throw APIError.badRequest("parameter 'cursor': '\(Self.clip(value))' is not a cursor from a previous answer")
                }
                query.after = cursor
            case "order":
                guard let order = RecordQuery.Order(rawValue: value) else {
                    throw APIError.badRequest("parameter 'order': '\(Self.clip(value))' is not 'asc' or 'desc'")
                }
                query.order = order
            case "format":
                guard let parsed = Format(rawValue: value) else {
                    throw APIError.badRequest("parameter 'format': '\(Self.clip(value))' is not 'json', 'ndjson' or 'text'")
                }
                format = parsed
            default:
                throw APIError.badRequest("unknown parameter '\(Self.clip(name))'")
            }
        }
        if let since = query.since, let until = query.until, since > until {
            throw APIError.badRequest("parameter 'since' is after 'until'")
        }
        if !apps.isEmpty { query.apps = apps }
        self.query = query
        self.format = format
    }

    /// RFC 3339 (`2026-07-02T10:00:00Z`, `2026-07-02`) or milliseconds since the epoch.
    static func time(_ value: String, parameter: String) throws -> Int64 {
        if let millis = Int64(value), millis >= 0 { return millis }
        if let millis = Timestamp.parse(value) { return millis }
        throw APIError.badRequest("parameter '\(parameter)': '\(clip(value))' is not an RFC 3339 time or epoch milliseconds")
    }

    /// Keeps error messages short and printable whatever was sent.
    static func clip(_ text: String) -> String {
        let printable = String(String.UnicodeScalarView(text.unicodeScalars.prefix(80).map {
            $0.value < 0x20 || $0.value == 0x7F ? "?" : $0
        }))
        return text.unicodeScalars.count > 80 ? printable + "..." : printable
    }
}

/// The kinds of id a logs endpoint takes.
enum IDKind: Sendable {
    case trace, span, workflow, task

    var name: String {
        switch self {
        case .trace: "trace"
        case .span: "span"
        case .workflow: "workflow"
        case .task: "task"
        }
    }

    var field: String { name + "_id" }
}
