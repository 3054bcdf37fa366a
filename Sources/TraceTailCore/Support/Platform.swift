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
}
