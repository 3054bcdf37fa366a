import Logging
import TraceTailCore

/// What changed in the watched directory since the last look.
struct DirectoryChanges: Sendable {
    /// Names of files written, closed or changed in their attributes.
    var names: Set<String> = []
    /// Files appeared, disappeared or were renamed: the directory must be listed again.
    var structural = false
    /// The kernel dropped events: look at everything.
    var overflow = false
    /// The directory itself was removed or moved: the watch is gone with it (a directory made
    /// again under the name is another, unwatched).
    var watchLost = false

    var isEmpty: Bool { names.isEmpty && !structural && !overflow && !watchLost }

    mutating func merge(_ other: DirectoryChanges) {
        names.formUnion(other.names)
        structural = structural || other.structural
        overflow = overflow || other.overflow
        watchLost = watchLost || other.watchLost
    }
}

#if canImport(Glibc)
import Glibc
import Synchronization

/// Hears of changes in the log directory through inotify, so that a new record is read within
/// tens of milliseconds instead of a poll interval. Polling stays on: inotify can overflow, and
/// some file systems (NFS, some container mounts) send no events at all.
///
/// A thread of its own sleeps in poll(2) on the inotify descriptor until the kernel has events or
/// the waiter's time is up, and hands the events over at once. Nothing wakes an idle daemon but
/// its poll interval: the watcher used to look every 20 ms instead, 50 wake-ups a second (and a
/// timer each) whether anything happened or not.
final class DirectoryWatcher: Sendable {
    typealias Changes = DirectoryChanges

    private let shared: WatcherThread

    init?(directory: String, logger: Logger) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            logger.warning("inotify unavailable; polling only", metadata: ["errno": "\(errno)"])
            return nil
        }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
        guard inotify_add_watch(fd, directory, mask) >= 0 else {
            logger.warning("cannot watch directory; polling only", metadata: ["directory": "\(directory)", "errno": "\(errno)"])
            Glibc.close(fd)
            return nil
        }
        // From here the descriptor is the thread object's: it closes it when it goes.
        guard let shared = WatcherThread(inotify: fd) else {
            logger.warning("cannot start the inotify thread; polling only")
            return nil
        }
        self.shared = shared
    }

    deinit { shared.stop() }

    /// The inotify descriptor and the two ends of the wake-up pipe (for tests).
    var descriptors: [Int32] { shared.descriptors }

    /// Returns what changed in the directory, as soon as anything did, or after `milliseconds`
    /// (empty), or at once when the task is cancelled (empty).
    func wait(milliseconds: Int64) async -> Changes {
        await shared.wait(milliseconds: milliseconds)
    }
}

/// The thread behind a `DirectoryWatcher`, and what it shares with the one waiting task.
///
/// The descriptors are closed when this object goes, which is after both the watcher (`stop`,
/// whose `poke` writes to the pipe) and the thread (which holds it until `run` returns) are done
/// with them. Closed by the thread as it ended, the pipe could be closed under a `stop` still
/// about to write to it, and the byte go to whatever file had just been given its number.
private final class WatcherThread: Sendable {
    private struct Waiter {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<DirectoryChanges, Never>
    }

    private struct State {
        /// Events read and not handed over yet.
        var changes = DirectoryChanges()
        /// The task waiting (the tailer's loop is the only one).
        var waiter: Waiter?
        var stopped = false
    }

    private let inotify: Int32
    /// A pipe: a byte written to `wakeWrite` makes the thread look at the state again (a new
    /// deadline, or stop).
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let state = Mutex(State())

    /// Takes `inotify` (closed here if no thread can be started).
    init?(inotify: Int32) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            Glibc.close(inotify)
            return nil
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        self.inotify = inotify
        (wakeRead, wakeWrite) = (ends[0], ends[1])
        // The thread holds this object until `run` returns; if none starts, the closure is
        // released unrun, and with it the last reference: `deinit` closes the descriptors.
        guard Platform.startThread({ [self] in run() }) else { return nil }
    }

    deinit {
        Glibc.close(inotify)
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    var descriptors: [Int32] { [inotify, wakeRead, wakeWrite] }

    func stop() {
        state.withLock { $0.stopped = true }
        poke()
    }

    func wait(milliseconds: Int64) async -> DirectoryChanges {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<DirectoryChanges, Never>) in
                let ready: DirectoryChanges? = state.withLock { state in
                    // Cancellation is flagged before the handler below runs: a task cancelled
                    // before it got here is answered at once, one cancelled afterwards by the handler.
                    // One waiter at a time (the tailer's loop): a second would replace the first,
                    // whose continuation would never be resumed.
                    precondition(state.waiter == nil, "DirectoryWatcher.wait called by two tasks at once")
                    if !state.changes.isEmpty || state.stopped || milliseconds <= 0 || Task.isCancelled {
                        defer { state.changes = DirectoryChanges() }
                        return state.changes
                    }
                    state.waiter = Waiter(deadline: .now + .milliseconds(milliseconds), continuation: continuation)
                    return nil
                }
                if let ready {
                    continuation.resume(returning: ready)
                } else {
                    poke()  // the thread sleeps until the new deadline
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.continuation.resume(returning: DirectoryChanges())
        }
    }

    private func poke() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)  // a full pipe is already a wake-up
    }

    private func run() {
        Platform.nameThread("tracetail-watch")
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var descriptors = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        while true {
            let (stopped, timeout) = state.withLock { state -> (Bool, Int32) in
                guard let waiter = state.waiter else { return (state.stopped, -1) }
                let left = ContinuousClock.now.duration(to: waiter.deadline)
                let (seconds, attoseconds) = left.components
                // Rounded up: woken a moment early, the thread would only go round again.
                let milliseconds = max(0, seconds * 1_000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
                return (state.stopped, Int32(min(milliseconds, Int64(Int32.max))))
            }
            if stopped { break }
            descriptors[0].revents = 0
            descriptors[1].revents = 0
            let ready = poll(&descriptors, 2, timeout)
            if ready < 0, errno != EINTR {
                // Not expected with two valid descriptors; do not spin on it.
                usleep(100_000)
            }
            if descriptors[1].revents != 0 {
                while buffer.withUnsafeMutableBytes({ Glibc.read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
            }
            let events = descriptors[0].revents != 0 ? drain(&buffer) : DirectoryChanges()
            let handOver = state.withLock { state -> (CheckedContinuation<DirectoryChanges, Never>, DirectoryChanges)? in
                state.changes.merge(events)
                guard let waiter = state.waiter,
                      !state.changes.isEmpty || state.stopped || ContinuousClock.now >= waiter.deadline
                else { return nil }
                defer {
                    state.waiter = nil
                    state.changes = DirectoryChanges()
                }
                return (waiter.continuation, state.changes)
            }
            if let (continuation, changes) = handOver { continuation.resume(returning: changes) }
        }
        let waiter = state.withLock { state in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.continuation.resume(returning: DirectoryChanges())
    }

    /// Reads the pending events.
    private func drain(_ buffer: inout [UInt8]) -> DirectoryChanges {
        var changes = DirectoryChanges()
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(inotify, $0.baseAddress, $0.count) }
            if n <= 0 { return changes }
            var offset = 0
            while offset + 16 <= n {
                let mask = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self) }
                let length = Int(buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self) })
                let nameBytes = buffer[(offset + 16)..<min(n, offset + 16 + length)].prefix { $0 != 0 }
                if mask & UInt32(IN_Q_OVERFLOW) != 0 { changes.overflow = true }
                if mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                    changes.watchLost = true
                    changes.structural = true
                }
                if mask & UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO) != 0 { changes.structural = true }
                if !nameBytes.isEmpty { changes.names.insert(String(decoding: nameBytes, as: UTF8.self)) }
                offset += 16 + length
            }
        }
    }
}
#else
final class DirectoryWatcher: Sendable {
    typealias Changes = DirectoryChanges

    init?(directory: String, logger: Logger) { nil }
    func wait(milliseconds: Int64) async -> Changes { Changes() }
}
#endif
