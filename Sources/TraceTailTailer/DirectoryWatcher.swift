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

    /// Returns when something changed in the directory, or after `milliseconds`.
    func wait(milliseconds: Int64) async {
        let slice: Int64 = 20
        var waited: Int64 = 0
        while waited < milliseconds {
            if drain() { return }
            do { try await Task.sleep(for: .milliseconds(slice)) } catch { return }
            waited += slice
        }
    }

    /// Reads pending events; true if there were any.
    private func drain() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var any = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return any }
            any = true
        }
    }
}
#else
import Logging

final class DirectoryWatcher: Sendable {
    init?(directory: String, logger: Logger) { nil }
    func wait(milliseconds: Int64) async {}
}
#endif
