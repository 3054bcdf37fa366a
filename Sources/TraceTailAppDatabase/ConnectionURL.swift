import PostgresNIO
import TraceTailCore

/// A `postgres://user:password@host:port/database?sslmode=...` URL, read into a connection's
/// configuration. `sslmode`: `disable` (the default), `prefer` or `require` (encrypted, the
/// certificate not checked, as libpq does), `verify-full` (checked against the system's roots and
/// the host name). A `host` parameter starting with `/` is a Unix socket directory.
package struct ConnectionURL: Sendable, CustomStringConvertible {
    package var host: String
    package var port: Int
    package var user: String
    package var password: String?
    package var database: String?
    package var sslmode: String
    package var socketDirectory: String?

    package init(_ text: String) throws {
        var rest = Substring(text)
        guard let scheme = rest.firstRange(of: "://"), ["postgres", "postgresql"].contains(rest[..<scheme.lowerBound]) else {
            throw AppDatabaseError("correlate.url: '\(Redaction.masked(text))' is not a postgres:// URL")
        }
        rest = rest[scheme.upperBound...]
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var hostPart = rest
        user = "postgres"
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            hostPart = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = try Self.decoded(credentials[..<colon])
                password = try Self.decoded(credentials[credentials.index(after: colon)...])
            } else {
                user = try Self.decoded(credentials)
            }
        }
        host = "localhost"
        port = 5432
        if let colon = hostPart.lastIndex(of: ":"), !hostPart.hasSuffix("]") {
            guard let number = Int(hostPart[hostPart.index(after: colon)...]), (1...65535).contains(number) else {
                throw AppDatabaseError("correlate.url: the port of '\(Redaction.masked(text))' is not a number from 1 to 65535")
            }
            port = number
            hostPart = hostPart[..<colon]
        }
        if !hostPart.isEmpty { host = String(hostPart.trimmingBrackets()) }
        database = path.isEmpty ? nil : try Self.decoded(path)
        sslmode = "disable"
        for pair in query.split(separator: "&") {
            // `omittingEmptySubsequences: false`: a pair that is only `=` has an empty name, not none.
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? try Self.decoded(parts[1]) : ""
            switch name {
            case "sslmode":
                guard ["disable", "prefer", "require", "verify-full"].contains(value) else {
                    throw AppDatabaseError("correlate.url: sslmode '\(value)' is not disable, prefer, require or verify-full")
                }
                sslmode = value
            case "host" where value.hasPrefix("/"): socketDirectory = value
            case "host": host = value
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "application_name", "connect_timeout": break
            default: throw AppDatabaseError("correlate.url: unknown parameter '\(name)'")
            }
        }
    }

    /// Where it connects, without the password (for messages and logs).
    package var description: String {
        let target = socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } ?? "\(host):\(port)"
        return "postgres://\(user)@\(target)/\(database ?? user)"
    }

    /// The configuration for PostgresNIO, with the statement timeout and read-only transactions
    /// set for the session at startup.
    package func configuration(timeoutMillis: Int64, connectTimeoutMillis: Int64) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketDirectory {
            configuration = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch sslmode {
            case "disable": tls = .disable
            case "verify-full": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default:
                var client = TLSConfiguration.makeClientConfiguration()
                client.certificateVerification = .none
                let context = try NIOSSLContext(configuration: client)
                tls = sslmode == "prefer" ? .prefer(context) : .require(context)
            }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .milliseconds(connectTimeoutMillis)
        configuration.options.additionalStartupParameters = [
            ("application_name", "tracetail"),
            ("statement_timeout", String(timeoutMillis)),
            ("default_transaction_read_only", "on"),
        ]
        return configuration
    }

    /// `%XX` decoded; `+` is kept (it is not a space in a URL's user or path).
    static func decoded(_ text: some StringProtocol) throws -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard utf8.count >= 2, let high = HexID.nibble(utf8.popFirst()!), let low = HexID.nibble(utf8.popFirst()!) else {
                    throw AppDatabaseError("correlate.url: a malformed %-sequence")
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

}

extension Substring {
    fileprivate func trimmingBrackets() -> Substring {
        hasPrefix("[") && hasSuffix("]") ? dropFirst().dropLast() : self
    }
}
