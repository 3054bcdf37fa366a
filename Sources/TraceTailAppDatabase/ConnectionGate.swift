import PostgresNIO
import Synchronization

/// The connection a read runs on, so that a timeout can close it from outside.
final class ConnectionHolder: Sendable {
    private let state = Mutex<(connection: PostgresConnection?, abandoned: Bool)>((nil, false))
    private static let counter = Atomic<Int>(0)

    static func nextID() -> Int { counter.add(1, ordering: .relaxed).newValue }

    /// Keeps the connection; false when the read was abandoned already (the caller closes it).
    func hold(_ connection: PostgresConnection) -> Bool {
        state.withLock { state in
            guard !state.abandoned else { return false }
            state.connection = connection
            return true
        }
    }

    func abandon() {
        let connection = state.withLock { state in
            state.abandoned = true
            return state.connection
        }
        let closing: EventLoopFuture<Void>? = connection?.close()
        _ = closing
    }
}

/// Whether the last read failed, so that the log says so once per outage, not once per read; and,
/// after a failure to reach the server, for how long reads fail at once instead of trying.
final class Health: Sendable {
    private let failing = Atomic<Bool>(false)
    private let down = Mutex<(until: ContinuousClock.Instant, reason: String, probing: Bool)?>(nil)

    /// True when this failure starts an outage.
    func failed() -> Bool { !failing.exchange(true, ordering: .relaxed) }

    /// True when this success ends one.
    func recovered() -> Bool {
        down.withLock { $0 = nil }
        return failing.exchange(false, ordering: .relaxed)
    }

    /// The server could not be reached: reads fail at once with `reason` for `millis`, then one
    /// read tries while the others still fail at once, until it is answered. Every read tried
    /// again would wait for its connection (up to correlate.timeout) and hold the log answers
    /// that wait for the rows.
    func unreachable(_ reason: String, for millis: Int64) {
        down.withLock { $0 = (.now + .milliseconds(millis), reason, false) }
    }

    /// The server answered (an error of its own, say): reads try again.
    func reached() { down.withLock { $0 = nil } }

    /// Whether a read may go on: `.fail` with the reason while the server is known to be away,
    /// `.probe` for the one read that tries again once the wait is over, `.go` otherwise.
    enum Admission: Equatable { case go, probe, fail(String) }

    func admit() -> Admission {
        down.withLock { state in
            guard let current = state else { return .go }
            if current.probing || ContinuousClock.now < current.until { return .fail(current.reason) }
            state = (current.until, current.reason, true)
            return .probe
        }
    }

    /// The probe was refused before it reached the server (the permit queue full): the next read
    /// tries instead.
    func releaseProbe() {
        down.withLock { state in
            if let current = state { state = (current.until, current.reason, false) }
        }
    }

    /// Why reads fail at once now, without claiming the probe (a read that waited for its permit
    /// while another found the server away looks again).
    var knownDown: String? { down.withLock { $0?.reason } }
}

/// A counting semaphore for connections: callers past the limit wait, first come first served.
actor ConnectionGate {
    private let limit: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = limit
    }

    /// Callers past the limit wait, at most `limit * 8` of them: more are refused at once (a
    /// slow server would otherwise gather a queue, and each log answer waiting for rows behind it).
    func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if inUse >= limit, waiting.count >= limit * 8 {
            throw AppDatabaseError("busy: \(waiting.count) reads wait for a connection to the application database", cause: .refusedHere)
        }
        await acquire()
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async {
        if inUse < limit {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the permit to the longest waiting caller, or gives it back.
    private func release() {
        if waiting.isEmpty {
            inUse -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
