#if canImport(Glibc)
import Glibc
#endif

/// Threads that read for queries at a lower CPU priority than ingest.
///
/// During an incident many people query while the apps log the most, and on a small host both
/// want every core. Without a rule, 64 clients asking at once take the cores from the tailer, the
/// backlog grows, and the records being asked about arrive late. With this executor the daemon
/// says which comes first: a query's reads (SQLite, inflating and decoding blocks: most of its
/// CPU) run on threads whose nice value is the process's plus `niceness`, so when the cores are
/// all busy the kernel hands ingest (tailing, parsing, compressing, the store's writes) what it
/// needs first and queries what is left; when ingest is idle, queries have every core. Nothing is
/// reserved and nothing waits on a lock: it is the kernel's weighted fair share (CFS), a nice
/// value of 5 weighing about a third of 0.
///
/// A thread inherits its creator's nice value, and the Swift runtime's and libdispatch's pool
/// threads are created by whichever thread hands them work. So the query threads never hand work
/// to the shared pool themselves: the waiting task is resumed from a relay thread at the process's
/// priority, started with the executor. Were a query thread to resume it, a pool thread created
/// there would run ingest at the queries' priority for good (raising a nice value back needs a
/// privilege). For the same reason this is not a `TaskExecutor`: leaving a task's executor
/// preference hands the task back to the shared pool from the thread it ran on.
///
/// Threads start as work arrives, up to `threadCount`, and are kept for the process's life (or
/// until `shutdown`).
package final class QueryExecutor: @unchecked Sendable {
    package let threadCount: Int
    /// How much higher the threads' nice value is than the process's (0: the same; at most 19).
    package let niceness: Int32

    /// Guards everything below (pthreads: Core does without Foundation).
    private let condition = Condition()
    private var queue = WorkQueue()
    private var threads = 0
    /// Threads waiting for work, and how many of them were signalled and have not woken yet: a
    /// submission starts a thread unless a waiting one is left to take it.
    private var idle = 0
    private var wakeups = 0
    private var stopping = false
    /// Threads whose nice value could not be raised (the call refused; a sandbox, say).
    private var unprioritised = 0

    /// Resumptions, run in order by the relay thread at the process's priority.
    private let relayCondition = Condition()
    private var relayQueue = WorkQueue()
    private var relayStopping = false

    /// Call from a thread at the process's priority (the relay thread is started here and inherits
    /// it). At most six threads by default: GRDB's pool has eight readers, and the shipper and the
    /// tailer must find one free.
    package init(threadCount: Int = min(6, max(2, Platform.activeCores)), niceness: Int32 = 5) {
        self.threadCount = max(1, threadCount)
        self.niceness = min(19, max(0, niceness))
        if !Platform.startThread({ [self] in relay() }) {
            relayStopping = true
        }
    }

    /// Runs blocking work (a read from SQLite) on one of the threads, and waits for it without
    /// holding the caller's thread.
    package func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit { [self] in
                let result = Result(catching: work)
                resume { continuation.resume(with: result) }
            }
        }
    }

    /// Threads that could not be given the lower priority (they run at the process's own).
    package var threadsWithoutPriority: Int {
        condition.lock()
        defer { condition.unlock() }
        return unprioritised
    }

    /// Lets the threads end once their queues are empty. Work submitted afterwards still runs,
    /// on a thread started for it.
    package func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        relayCondition.lock()
        relayStopping = true
        relayCondition.broadcast()
        relayCondition.unlock()
    }

    private func submit(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(work)
        var start = false
        if idle > wakeups {
            wakeups += 1
            condition.signal()
        } else if threads < threadCount || threads == 0 {
            threads += 1
            start = true
        }
        condition.unlock()
        if start, !Platform.startThread({ [self] in loop() }) {
            // Out of threads (a resource limit). With none running, the work runs here, at the
            // caller's priority, rather than never; else a running thread takes it.
            condition.lock()
            threads -= 1
            let orphaned = threads == 0 ? queue.removeAll() : []
            condition.unlock()
            for work in orphaned { work() }
        }
    }

    /// Hands a resumption to the relay thread (or, if it could not be started, runs it here).
    private func resume(_ body: @escaping @Sendable () -> Void) {
        relayCondition.lock()
        let relayed = !relayStopping
        if relayed {
            relayQueue.append(body)
            relayCondition.signal()
        }
        relayCondition.unlock()
        if !relayed { body() }
    }

    private func loop() {
        Platform.nameThread("tracetail-query")
        lowerPriority()
        while true {
            condition.lock()
            while queue.isEmpty, !stopping {
                idle += 1
                condition.wait()
                idle -= 1
                if wakeups > 0 { wakeups -= 1 }
            }
            guard let work = queue.next() else {
                threads -= 1
                condition.unlock()
                return
            }
            condition.unlock()
            work()
        }
    }

    private func relay() {
        Platform.nameThread("tracetail-relay")
        while true {
            relayCondition.lock()
            while relayQueue.isEmpty, !relayStopping { relayCondition.wait() }
            guard let body = relayQueue.next() else {
                relayCondition.unlock()
                return
            }
            relayCondition.unlock()
            body()
        }
    }

    /// Sets this thread's nice value `niceness` above the process's (Linux: nice is per thread;
    /// raising it needs no privilege, and a process started under `nice` keeps its order).
    private func lowerPriority() {
        guard niceness > 0 else { return }
        #if os(Linux)
        // The thread's id (gettid is not in the Glibc module): /proc/thread-self is a link to
        // "<pid>/task/<tid>".
        var link = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/thread-self", &link, link.count - 1)
        let target = length > 0 ? String(decoding: link[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        // Above the main thread's (the process's as started), not this thread's own.
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        errno = 0
        let base = getpriority(which, id_t(getpid()))
        let done = errno == 0
            && target.split(separator: "/").last.flatMap({ id_t($0) }).map { setpriority(which, $0, min(19, base + niceness)) == 0 } == true
        #else
        let done = false
        #endif
        if !done {
            condition.lock()
            unprioritised += 1
            condition.unlock()
        }
    }
}

/// A first-in, first-out queue of work.
private struct WorkQueue {
    private var items: [@Sendable () -> Void] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func append(_ work: @escaping @Sendable () -> Void) { items.append(work) }

    mutating func next() -> (@Sendable () -> Void)? {
        guard head < items.count else { return nil }
        let work = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 {
            items.removeFirst(head)
            head = 0
        }
        return work
    }

    mutating func removeAll() -> [@Sendable () -> Void] {
        let rest = Array(items[head...])
        items = []
        head = 0
        return rest
    }
}

/// A mutex and its condition variable.
private final class Condition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let variable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(variable, nil)
    }

    deinit {
        pthread_cond_destroy(variable)
        pthread_mutex_destroy(mutex)
        variable.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func wait() { pthread_cond_wait(variable, mutex) }
    func signal() { pthread_cond_signal(variable) }
    func broadcast() { pthread_cond_broadcast(variable) }
}
