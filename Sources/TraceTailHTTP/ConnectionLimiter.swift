import Logging
import Metrics
import NIOConcurrencyHelpers

/// Counts the open connections of one server and admits a new one only below the limit. Shared
/// by every event loop of the server, hence the lock.
final class ConnectionLimiter: Sendable {
    let limit: Int
    private let state = NIOLockedValueBox(State())
    private let logger: Logger
    private let openGauge: Gauge
    private let refusedCounter: Counter

    /// A refusal is logged at most this often (with the number refused since), not once per
    /// connection of a flood.
    static let warningInterval: Duration = .seconds(60)

    private struct State {
        var open = 0
        var refusedSinceWarning = 0
        var lastWarning: ContinuousClock.Instant?
    }

    init(limit: Int, logger: Logger, factory: any MetricsFactory) {
        self.limit = limit
        self.logger = logger
        openGauge = Gauge(label: "tracetail_http_open_connections", factory: factory)
        refusedCounter = Counter(label: "tracetail_http_refused_connections_total", factory: factory)
    }

    /// Counts a new connection in and returns true, or returns false when the limit is reached.
    func admit() -> Bool {
        let now = ContinuousClock.now
        let (admitted, open, warnAbout) = state.withLockedValue { state -> (Bool, Int, Int?) in
            guard state.open >= limit else {
                state.open += 1
                return (true, state.open, nil)
            }
            state.refusedSinceWarning += 1
            if let last = state.lastWarning, now - last < Self.warningInterval { return (false, state.open, nil) }
            defer { state.refusedSinceWarning = 0; state.lastWarning = now }
            return (false, state.open, state.refusedSinceWarning)
        }
        if admitted {
            openGauge.record(open)
            return true
        }
        refusedCounter.increment()
        if let refused = warnAbout {
            logger.warning("connection limit reached: new connections are answered 503 and closed (http.max_connections)", metadata: [
                "open_connections": "\(open)", "limit": "\(limit)", "refused": "\(refused)",
            ])
        }
        return false
    }

    /// Counts an admitted connection out once it has closed.
    func release() {
        let open = state.withLockedValue { state in
            state.open -= 1
            return state.open
        }
        openGauge.record(open)
    }
}
