#if canImport(Glibc)
import Glibc
#endif

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

    /// Starts a detached thread running `body`; false if the system refused one (`body` is then
    /// released unrun).
    package static func startThread(_ body: @escaping () -> Void) -> Bool {
        #if canImport(Glibc)
        final class Box {
            let body: () -> Void
            init(_ body: @escaping () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, box)
        guard created == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return false
        }
        pthread_detach(thread)
        return true
        #else
        return false
        #endif
    }

    /// Names the calling thread for `top -H` and /proc (15 bytes at most; pthread_setname_np is
    /// not in the Glibc module, and writing the name to /proc is what it does).
    package static func nameThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        if fd >= 0 {
            _ = name.withCString { write(fd, $0, strlen($0)) }
            close(fd)
        }
        #endif
    }

    /// glibc's allocator keeps one arena per thread and raises its mmap threshold as large
    /// buffers are freed; under the tailer's pattern (many record-sized arrays, a few 100 KiB
    /// blocks, on three or four threads) that leaves tens of megabytes of freed memory resident.
    /// One arena and a fixed 128 KiB mmap threshold keep peak memory near what is in use, for some
    /// speed: threads wait for the one arena's lock (about 5 % of ingest's CPU; docs/storage.md).
    /// `tracetail`'s entry point calls it before anything else (a thread that allocates first gets
    /// an arena of its own); so does `tracetail-bench lookups`, to measure as the daemon runs.
    ///
    /// The heap's top is given back to the kernel only past 1 MiB free, not glibc's 128 KiB: a
    /// lookup allocates and frees about 100 KiB per block it inflates, and with the default each
    /// free shrank the heap (`brk`) and the next allocation grew it again, page faults and zeroing
    /// included. Measured on a 2M-record store, builds alternated: 1.50-1.54 ms of CPU per lookup
    /// became 1.33-1.34 ms, peak RSS the same (4 MiB saved no more CPU and kept 3 MB more).
    package static func tuneAllocator() {
        #if canImport(Glibc)
        // mallopt is not in the Glibc module; look it up (M_ARENA_MAX = -8, M_MMAP_THRESHOLD = -3,
        // M_TRIM_THRESHOLD = -1).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-8, 1)
        _ = mallopt(-3, 128 * 1024)
        _ = mallopt(-1, 1 << 20)
        #endif
    }
}
