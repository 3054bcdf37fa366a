import Logging
import PostgresNIO
import TraceTailCore

/// A connection pool to the fleet's PostgreSQL database, from a `postgres://` URL, running for as
/// long as the value lives (`close()` ends it).
package final class FleetDatabase: Sendable {
    package let client: PostgresClient
    package let url: String
    let logger: Logger
    private let runner: Task<Void, Never>

    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`.
    package init(url: String, logger: Logger, maximumConnections: Int = 8) throws {
        var configuration = try Self.configuration(url)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        self.url = Self.redacted(url)
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        // Started at once, so that the first query does not find the pool not yet running.
        runner = Task.immediate { await client.run() }
    }

    /// Ends the pool: connections close, queries in flight fail.
    package func close() {
        runner.cancel()
    }

    /// Whether a text names a fleet store rather than a SQLite file.
    package static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// The URL without its password, for logs.
    package static func redacted(_ url: String) -> String { Redaction.masked(url) }

    static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        func bad(_ why: String) -> FleetError { FleetError("'\(redacted(url))' is not a postgres:// URL: \(why)") }
        guard isURL(url), let scheme = url.range(of: "://") else { throw bad("it must start with postgres://") }
        var rest = Substring(url[scheme.upperBound...])
        var parameters: [String: String] = [:]
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") {
                // A pair that is only `=` has an empty name, not none (no trap on `?=`).
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                parameters[String(parts[0])] = parts.count > 1 ? percentDecoded(parts[1]) : ""
            }
            rest = rest[..<question]
        }
        var user = "postgres"
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            if let colon = credentials.firstIndex(of: ":") {
                user = percentDecoded(credentials[..<colon])
                password = percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                user = percentDecoded(credentials)
            }
            rest = rest[rest.index(after: at)...]
        }
        var database: String?
        if let slash = rest.firstIndex(of: "/") {
            let name = rest[rest.index(after: slash)...]
            database = name.isEmpty ? nil : percentDecoded(name)
            rest = rest[..<slash]
        }
        var host = String(rest)
        var port = 5432
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else {
                throw bad("the port is not a number from 1 to 65535")
            }
            port = number
            host = String(rest[..<colon])
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw bad("no host") }
        let tls: PostgresClient.Configuration.TLS
        switch parameters["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A fleet store problem, with what to do about it where there is something to do.
package struct FleetError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

extension Error {
    /// A one-line description of a PostgreSQL error: the server's message and SQLSTATE when there
    /// is one (postgres-nio's own description hides it).
    package var fleetDescription: String {
        if let error = self as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
            }
            return "\(error.code)"
        }
        return "\(self)"
    }
}
