/// Which traces to list (`GET /traces`): the most recent ones with records in the window.
package struct TraceListQuery: Sendable, Equatable {
    package var since: Int64?
    package var until: Int64?
    package var apps: Set<String>?
    /// Only traces with records on these hosts; nil: every host.
    package var hosts: Set<String>?
    /// Only traces with at least one record at error level or above.
    package var errorsOnly: Bool
    package var limit: Int

    package init(since: Int64? = nil, until: Int64? = nil, apps: Set<String>? = nil, errorsOnly: Bool = false, limit: Int = 50) {
        self.since = since
        self.until = until
        self.apps = apps
        self.errorsOnly = errorsOnly
        self.limit = limit
    }
}

/// The answer to a `TraceListQuery`: the traces, and how many blocks could not be decoded on the
/// way (above 0: the list or its totals may be partial).
package struct TraceList: Sendable, Equatable {
    package var traces: [TraceSummary]
    package var unreadableBlocks: Int

    package init(traces: [TraceSummary], unreadableBlocks: Int = 0) {
        self.traces = traces
        self.unreadableBlocks = unreadableBlocks
    }
}

/// One trace in a list: its id and what its records add up to.
package struct TraceSummary: Sendable, Equatable {
    package var trace: IDKey
    package var firstTime: Int64
    package var lastTime: Int64
    package var records: Int
    /// Records at error level or above.
    package var errors: Int
    package var apps: [String]
    /// The hosts its records came from, sorted.
    package var hosts: [String]

    package init(trace: IDKey, firstTime: Int64, lastTime: Int64, records: Int, errors: Int, apps: [String], hosts: [String] = []) {
        self.trace = trace
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.records = records
        self.errors = errors
        self.apps = apps
        self.hosts = hosts
    }
}
