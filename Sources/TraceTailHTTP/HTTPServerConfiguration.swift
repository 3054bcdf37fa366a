#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the HTTP server treats connections: how many may be open at once and how long a client may
/// stay silent. The daemon fills it from `http.max_connections`, `http.idle_timeout` and
/// `http.header_timeout`.
package struct HTTPServerConfiguration: Sendable, Equatable {
    /// Connections open at once; one more is answered 503 and closed at once. The server never
    /// admits more than half the process's descriptor limit whatever is configured
    /// (``connectionLimit(descriptorLimit:)``).
    package var maxConnections: Int
    /// A connection with no request in progress is closed after this much silence; so is one whose
    /// client has not read any of its answer for this long.
    package var idleTimeout: Duration
    /// A request must be complete this long after its first byte arrived: its head (request line
    /// and headers), else the client gets a 408 and the connection is closed, and its body if it
    /// has one, else the connection is closed.
    package var headerTimeout: Duration

    package static let defaultMaxConnections = 512

    package init(
        maxConnections: Int = Self.defaultMaxConnections, idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(10)
    ) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
    }

    /// The connections actually admitted: the configured maximum, but never more than half of
    /// `descriptorLimit`. Each connection costs one descriptor; the other half stays for what the
    /// daemon needs to do its job: one descriptor per followed log file (kept open so a rotated or
    /// deleted file is read to its end), SQLite's database, WAL and shared memory for the writer
    /// and each reader, inotify, the event loops' own descriptors, and the sockets accepted only
    /// to be refused. So no number of clients can make the tailer fail with EMFILE.
    package func connectionLimit(descriptorLimit: Int?) -> Int {
        guard let descriptorLimit else { return max(1, maxConnections) }
        return max(1, min(maxConnections, descriptorLimit / 2))
    }

    /// The process's open-file limit as the daemon runs with it: the hard limit, to which the
    /// tailer raises the soft limit when it starts (`FileSystem.raiseOpenFileLimit`); nil when
    /// unlimited or unknown.
    package static func descriptorLimit() -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_max != rlim_t.max else { return nil }  // rlim_t.max: RLIM_INFINITY
        return Int(clamping: limit.rlim_max)
    }
}
