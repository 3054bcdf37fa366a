import TraceTailCore

/// A query's parameters, checked against the limits every endpoint shares: its length, the
/// number of parameters, each value's length, and no parameter twice unless it may repeat. What
/// each name means is up to the endpoint; this only gives the pairs in order.
package struct QueryParameters: Sendable {
    package static let maximumQueryBytes = 8 * 1024
    package static let maximumParameters = 32
    package static let maximumValueBytes = 1024

    package private(set) var items: [(name: String, value: String)] = []

    /// Checks the pairs (in order, values already percent-decoded) of a query string or of the
    /// command line's options.
    package init(pairs: [(String, String)], repeatable: Set<String> = []) throws {
        guard pairs.count <= Self.maximumParameters else {
            throw QueryError.badRequest("too many query parameters (at most \(Self.maximumParameters))")
        }
        var seen = Set<String>()
        for (name, value) in pairs {
            guard !name.isEmpty else { throw QueryError.badRequest("a query parameter has no name") }
            guard value.utf8.count <= Self.maximumValueBytes else {
                throw QueryError.badRequest("parameter '\(Self.clip(name))' is longer than \(Self.maximumValueBytes) bytes")
            }
            if !repeatable.contains(name), !seen.insert(name).inserted {
                throw QueryError.badRequest("parameter '\(Self.clip(name))' is given more than once")
            }
            items.append((name, value))
        }
    }


    /// The error for a name the endpoint does not take.
    package static func unknown(_ name: String) -> QueryError {
        QueryError.badRequest("unknown parameter '\(clip(name))'")
    }

    /// RFC 3339 (`2026-07-02T10:00:00Z`, `2026-07-02`) or milliseconds since the epoch.
    package static func time(_ value: String, parameter: String) throws -> Int64 {
        // Within the years 0000-9999 (`Timestamp.writable`): answers write times back in RFC
        // 3339, whose years have four digits; a store on PostgreSQL turns times into timestamps,
        // which end at 9999, and no log line is dated later.
        if let millis = Int64(value), millis >= 0, millis <= latestTime { return millis }
        if let millis = Timestamp.parse(value) { return millis }
        throw QueryError.badRequest("parameter '\(parameter)': '\(clip(value))' is not an RFC 3339 time or epoch milliseconds")
    }

    /// 9999-12-31T23:59:59.999Z in milliseconds since the epoch.
    package static let latestTime = Timestamp.latestMillis

    /// A whole number in `range`.
    package static func integer(_ value: String, parameter: String, in range: ClosedRange<Int>) throws -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw QueryError.badRequest("parameter '\(parameter)': '\(clip(value))' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// Comma-separated app names (the parameter may also repeat).
    package static func apps(_ value: String, into apps: inout Set<String>) {
        for app in value.split(separator: ",") where !app.isEmpty { apps.insert(String(app)) }
    }

    /// Keeps error messages short and printable whatever was sent.
    package static func clip(_ text: String) -> String {
        let printable = String(String.UnicodeScalarView(text.unicodeScalars.prefix(80).map {
            $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) ? "?" : $0
        }))
        return text.unicodeScalars.count > 80 ? printable + "..." : printable
    }
}

/// The parameters the logs, trace-list and coverage requests share: the time window, and the apps
/// and hosts that narrow it. One parser, so the three accept and refuse them alike.
package struct ScopeParameters: Sendable {
    package var since: Int64?
    package var until: Int64?
    /// The apps asked for (`app=`, repeated or comma-separated); nil when none were.
    package var apps: Set<String>? { appNames.isEmpty ? nil : appNames }
    /// The hosts asked for (`host=`); nil when none were.
    package var hosts: Set<String>? { hostNames.isEmpty ? nil : hostNames }

    private var appNames = Set<String>()
    private var hostNames = Set<String>()
    private let takesHosts: Bool

    /// `hosts: false` for a request that has no `host` parameter.
    package init(hosts: Bool = true) {
        takesHosts = hosts
    }

    /// Reads the parameter if it is one of the scope's; false when it is not.
    package mutating func take(_ name: String, _ value: String) throws -> Bool {
        switch name {
        case "since": since = try QueryParameters.time(value, parameter: name)
        case "until": until = try QueryParameters.time(value, parameter: name)
        case "app": QueryParameters.apps(value, into: &appNames)
        case "host" where takesHosts: QueryParameters.apps(value, into: &hostNames)
        default: return false
        }
        return true
    }

    /// Checks what can only be checked once every parameter is read.
    package func validate() throws {
        if let since, let until, since > until {
            throw QueryError.badRequest("parameter 'since' is after 'until'")
        }
    }
}
