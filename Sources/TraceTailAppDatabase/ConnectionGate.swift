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

/// Whether the last read failed, so that the log says so once per outage, not once per read.
final class Health: Sendable {
    private let failing = Atomic<Bool>(false)

    /// True when this failure starts an outage.
    func failed() -> Bool { !failing.exchange(true, ordering: .relaxed) }

    /// True when this success ends one.
    func recovered() -> Bool { failing.exchange(false, ordering: .relaxed) }
}

/// A counting semaphore for connections: callers past the limit wait, first come first served.
actor ConnectionGate {
    private let limit: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = limit
    }

    func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
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
