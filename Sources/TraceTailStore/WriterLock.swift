#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The store's writer lock: an exclusive `flock` on `<database>.lock`, holding the writer's pid.
///
/// SQLite alone would let two processes append to one store one transaction at a time, each
/// believing it owns the open blocks and file positions: records stored twice and totals that no
/// longer add up. The lock makes the second writer fail at once instead. `flock` is released by
/// the kernel when the process dies, so a `kill -9` never leaves a stale lock behind; the pid in
/// the file is only there to name the holder.
final class WriterLock: @unchecked Sendable {
    let path: String
    private var fd: Int32

    init(database: String) throws {
        path = database + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError(.open, path: database, detail: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        // The lock names our own pid when this process held it a moment ago and a child it is
        // spawning still holds a copy of the descriptor (between fork and exec, before
        // close-on-exec): that copy goes within milliseconds, so wait for it, briefly.
        var attempts = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = Self.holder(fd)
            attempts += 1
            if code == EWOULDBLOCK, holder == String(getpid()), attempts < 200 {
                usleep(5_000)
                continue
            }
            close(fd)
            guard code == EWOULDBLOCK else {
                throw StoreError(.open, path: database, detail: "cannot lock \(path): \(String(cString: strerror(code)))")
            }
            throw StoreError(.locked, path: database, detail: "another tracetail process (pid \(holder)) is writing this store; stop it first (reading commands work while it runs)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    /// The pid written in the lock file, or `?`.
    private static func holder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
    }

    func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { release() }
}
