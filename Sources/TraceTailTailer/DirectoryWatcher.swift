#if canImport(Glibc)
import Glibc
import Logging

/// Hears of changes in the log directory through inotify, so that a new record is read within
/// tens of milliseconds instead of a poll interval. Polling stays on: inotify can overflow, and
/// some file systems (NFS, some container mounts) send no events at all.
final class DirectoryWatcher: Sendable {
    private let fd: Int32

    init?(directory: String, logger: Logger) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            logger.warning("inotify unavailable; polling only", metadata: ["errno": "\(errno)"])
            return nil
        }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB)
        guard inotify_add_watch(fd, directory, mask) >= 0 else {
            logger.warning("cannot watch directory; polling only", metadata: ["directory": "\(directory)", "errno": "\(errno)"])
            Glibc.close(fd)
            return nil
        }
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// What changed since the last look.
    struct Changes {
        /// Names of files written, closed or changed in their attributes.
        var names: Set<String> = []
        /// Files appeared, disappeared or were renamed: the directory must be listed again.
        var structural = false
        /// The kernel dropped events: look at everything.
        var overflow = false

        var isEmpty: Bool { names.isEmpty && !structural && !overflow }
    }

    /// Returns what changed in the directory, as soon as anything did, or after `milliseconds`.
    func wait(milliseconds: Int64) async -> Changes {
        let slice: Int64 = 20
        var waited: Int64 = 0
        while waited < milliseconds {
            let changes = drain()
            if !changes.isEmpty { return changes }
            do { try await Task.sleep(for: .milliseconds(slice)) } catch { return Changes() }
            waited += slice
        }
        return Changes()
    }

    /// Reads the pending events.
    private func drain() -> Changes {
        var changes = Changes()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return changes }
            var offset = 0
            while offset + 16 <= n {
                let mask = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self) }
                let length = Int(buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self) })
                let nameBytes = buffer[(offset + 16)..<min(n, offset + 16 + length)].prefix { $0 != 0 }
                if mask & UInt32(IN_Q_OVERFLOW) != 0 { changes.overflow = true }
                if mask & UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO) != 0 { changes.structural = true }
                if !nameBytes.isEmpty { changes.names.insert(String(decoding: nameBytes, as: UTF8.self)) }
                offset += 16 + length
            }
        }
    }
}
#else
import Logging

final class DirectoryWatcher: Sendable {
    struct Changes {
        var names: Set<String> = []
        var structural = false
        var overflow = false
    }

    init?(directory: String, logger: Logger) { nil }
    func wait(milliseconds: Int64) async -> Changes { Changes() }
}
#endif
