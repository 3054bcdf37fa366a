#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes generated records into a directory, one buffer per file, flushed in large writes.
package final class SampleDirectoryWriter {
    package let directory: String
    private let fileNames: [String]
    private var handles: [UnsafeMutablePointer<FILE>?]
    private var buffers: [[UInt8]]
    private var scratch: [UInt8] = []
    /// Buffered bytes per file before a write.
    package var flushThreshold = 1 << 20
    package private(set) var bytesWritten: Int64 = 0

    /// `append`: keep existing files and append to them (live mode); otherwise they are truncated.
    package init(directory: String, files: [SampleFile], append: Bool) throws(SampleError) {
        self.directory = directory
        fileNames = files.map(\.name)
        handles = Array(repeating: nil, count: files.count)
        buffers = Array(repeating: [], count: files.count)
        try Self.makeDirectory(directory)
        for (index, name) in fileNames.enumerated() {
            let path = directory + "/" + name
            guard let handle = fopen(path, append ? "ab" : "wb") else {
                let code = errno
                closeAll()
                throw .cannotOpen(path: path, errno: code)
            }
            handles[index] = handle
        }
        scratch.reserveCapacity(64 * 1024)
    }

    deinit { closeAll() }

    /// Creates the directory and its parents.
    package static func makeDirectory(_ path: String) throws(SampleError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .cannotCreateDirectory(path: current, errno: errno)
            }
        }
    }

    /// Generates records until the generator's budget is used up (or `limit` records).
    @discardableResult
    package func write(from generator: inout SampleGenerator, limit: Int = .max) throws(SampleError) -> Int {
        var count = 0
        while count < limit {
            scratch.removeAll(keepingCapacity: true)
            guard let info = generator.next(appendingTo: &scratch) else { break }
            buffers[info.file].append(contentsOf: scratch)
            if buffers[info.file].count >= flushThreshold { try flush(file: info.file) }
            count += 1
        }
        return count
    }

    /// Appends one record's bytes to a file's buffer; `flush` writes it through at once.
    package func append(_ bytes: [UInt8], toFile file: Int, flush: Bool) throws(SampleError) {
        buffers[file].append(contentsOf: bytes)
        if flush || buffers[file].count >= flushThreshold { try self.flush(file: file) }
    }

    /// Writes every buffer out and flushes the stdio buffers to the kernel.
    package func flushAll() throws(SampleError) {
        for file in buffers.indices { try flush(file: file) }
    }

    private func flush(file: Int) throws(SampleError) {
        guard let handle = handles[file] else { return }
        let count = buffers[file].count
        if count > 0 {
            let written = buffers[file].withUnsafeBytes { fwrite($0.baseAddress, 1, count, handle) }
            guard written == count else { throw .cannotWrite(path: directory + "/" + fileNames[file], errno: errno) }
            bytesWritten += Int64(count)
            buffers[file].removeAll(keepingCapacity: true)
        }
        guard fflush(handle) == 0 else { throw .cannotWrite(path: directory + "/" + fileNames[file], errno: errno) }
    }

    /// Flushes and closes every file.
    package func close() throws(SampleError) {
        try flushAll()
        closeAll()
    }

    private func closeAll() {
        for index in handles.indices {
            if let handle = handles[index] { fclose(handle) }
            handles[index] = nil
        }
    }
}
