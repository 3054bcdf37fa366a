#if canImport(Glibc)
import Glibc
#endif

/// Threads that answer queries at a lower CPU priority than ingest.
///
/// During an incident many people query while the apps log the most, and on a small host both
/// want every core. Without a rule, 64 clients asking at once take the cores from the tailer, the
/// backlog grows, and the records being asked about arrive late. With this executor the daemon
/// says which comes first: the threads that run queries (the store's reads, the JSON of the
/// answers) are given a higher nice value than the rest of the process, so when the cores are
/// all busy the kernel hands ingest (tailing, parsing, compressing, the store's writes) what it
/// needs first and queries what is left; when ingest is idle, queries have every core. Nothing is
/// reserved and nothing waits on a lock: it is the kernel's weighted fair share (CFS), a nice
/// value of 5 weighing about a third of 0.
///
/// It is a `TaskExecutor` (`withTaskExecutorPreference`, for a request's whole handling) and runs
/// blocking work (`run`, for a read from SQLite) on the same threads, started as work arrives, up
/// to `threadCount`, and kept for the process's life (or until `shutdown`).
package final class QueryExecutor: TaskExecutor, @unchecked Sendable {
    package let threadCount: Int
    /// How much higher the threads' nice value is than the process's (0: the same; at most 19).
    package let niceness: Int32

    /// Guards everything below (pthreads: Core does without Foundation).
    private let condition = Condition()
    private var queue: [@Sendable () -> Void] = []
    private var head = 0
    private var threads = 0
    private var idle = 0
    private var stopping = false
    /// Threads whose nice value could not be raised (the call refused; a sandbox, say).
    private var unprioritised = 0

    package init(threadCount: Int = max(2, Platform.activeCores), niceness: Int32 = 5) {
        self.threadCount = max(1, threadCount)
        self.niceness = min(19, max(0, niceness))
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        submit { job.runSynchronously(on: executor) }
    }

    /// Runs blocking work (a read from SQLite) on one of the threads, and waits for it without
    /// holding the caller's thread.
    package func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit { continuation.resume(with: Result(catching: work)) }
        }
    }

    /// Threads that could not be given the lower priority (they run at the process's own).
    package var threadsWithoutPriority: Int {
        condition.lock()
        defer { condition.unlock() }
        return unprioritised
    }

    /// Lets the threads end once the queue is empty. Work submitted afterwards still runs, on a
    /// thread started for it.
    package func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func submit(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(work)
        let start = idle == 0 && (threads < threadCount || stopping && threads == 0)
        if start { threads += 1 }
        condition.signal()
        condition.unlock()
        if start {
            let box = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { argument in
                let executor = Unmanaged<QueryExecutor>.fromOpaque(argument!).takeRetainedValue()
                executor.loop()
                return nil
            }, box)
            if created == 0 {
                pthread_detach(thread)
            } else {
                // Out of threads (a resource limit): the work waits in the queue for a running
                // thread, or for the next submission, which tries to start one again.
                Unmanaged<QueryExecutor>.fromOpaque(box).release()
                condition.lock()
                threads -= 1
                condition.unlock()
            }
        }
    }

    private func loop() {
        #if os(Linux)
        // Named for `top -H` and /proc (15 bytes at most; pthread_setname_np is not in the Glibc
        // module, and writing the name to /proc is what it does).
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        if fd >= 0 {
            _ = "tracetail-query".withCString { write(fd, $0, strlen($0)) }
            close(fd)
        }
        #endif
        lowerPriority()
        while true {
            condition.lock()
            while head == queue.count, !stopping {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if head == queue.count {
                threads -= 1
                condition.unlock()
                return
            }
            let work = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            work()
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
        guard let tid = target.split(separator: "/").last.flatMap({ id_t($0) }) else {
            condition.lock()
            unprioritised += 1
            condition.unlock()
            return
        }
        // Above the main thread's (the process's as started), not this thread's: a thread that
        // another query thread started inherits that one's nice value already.
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        errno = 0
        let base = getpriority(which, id_t(getpid()))
        let done = errno == 0 && setpriority(which, tid, min(19, base + niceness)) == 0
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

/// Facts about the machine, without Foundation.
package enum Platform {
    /// Cores online (at least 1).
    package static var activeCores: Int {
        #if canImport(Glibc)
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        1
        #endif
    }
}
