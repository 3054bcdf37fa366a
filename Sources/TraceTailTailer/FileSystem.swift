#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TraceTailCore

/// Errors of the tailer's file access; each names the path and the errno, or what is wrong with
/// the file's content.
package struct TailerError: Error, CustomStringConvertible {
    package var operation: String
    package var path: String
    package var errno: Int32
    /// What is wrong when it is not a system call's failure (a `.gz` copy that does not end).
    package var detail: String?

    package init(operation: String, path: String, errno: Int32, detail: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    package var description: String {
        if let detail { return "\(operation) \(path): \(detail)" }
        return "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// The few POSIX calls the tailer needs: list a directory, stat, open and read at an offset.
package enum FileSystem {
    package struct Status: Sendable, Equatable {
        package var device: UInt64
        package var inode: UInt64
        package var size: Int64
        package var modified: Int64
        package var isRegular: Bool
    }

    /// Names of the regular entries of a directory (no `.`/`..`).
    package static func list(_ directory: String) throws -> [String] {
        guard let dir = opendir(directory) else {
            throw TailerError(operation: "opendir", path: directory, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        return names
    }

    package static func status(_ path: String) -> Status? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Status(info)
    }

    package static func status(fd: Int32) -> Status? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return Status(info)
    }

    package static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TailerError(operation: "open", path: path, errno: errno) }
        return fd
    }

    package static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Reads up to `count` bytes at `offset`; fewer at the end of the file.
    package static func read(_ fd: Int32, offset: Int64, count: Int, path: String) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var total = 0
        while total < count {
            let n = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + total, count - total, off_t(offset) + off_t(total))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw TailerError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            total += n
        }
        buffer.removeSubrange(total...)
        return buffer
    }

    /// Hash of `length` bytes at `offset`, or nil when the file has fewer.
    package static func hash(_ fd: Int32, offset: Int64, length: Int, path: String) throws -> UInt64? {
        guard offset >= 0 else { return nil }
        let bytes = try read(fd, offset: offset, count: length, path: path)
        guard bytes.count == length else { return nil }
        return FileFingerprint.hash(bytes)
    }

    package static func matches(_ name: String, _ pattern: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }

    /// Raises the soft limit on open files to the hard limit: the tailer keeps one descriptor per
    /// followed file, so that a deleted or renamed file can still be read to its end.
    package static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

extension FileSystem.Status {
    init(_ info: stat) {
        self.init(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            isRegular: (info.st_mode & S_IFMT) == S_IFREG)
    }
}
