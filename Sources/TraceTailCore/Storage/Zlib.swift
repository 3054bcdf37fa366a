import CLibDeflate
import CZlib
import Synchronization

/// Raw deflate for blocks (no zlib header or Adler-32 checksum: the block decoder checks
/// structure, and the checksum cost 5 % of a lookup), and gzip inflate for `.gz` rotated copies.
///
/// Blocks are made and read by libdeflate: the streams are plain raw deflate, so blocks written
/// by zlib before read as ever, but on a 108 KB block of the sample logs libdeflate inflates in
/// 0.042 ms against zlib's 0.125 ms, and its level 6 is 11 % smaller than zlib's level 4 in 0.65
/// ms against 0.82 ms (best of 50, tools in the commit that made the switch). A lookup inflates a
/// block per file of its trace, so inflating is most of its CPU.
package enum Zlib {
    package struct Failure: Error, CustomStringConvertible {
        package var operation: String
        package var code: Int32
        package var description: String { "zlib \(operation) failed with code \(code)" }
    }

    /// Compresses `input` as one raw deflate stream at `level` (0...12; libdeflate's levels).
    package static func deflate(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        try withDeflated(input, level: level) { Array($0) }
    }

    /// Compresses `input` as one raw deflate stream at `level` and hands the stream to `body`
    /// (valid only inside it), to be copied where it is kept.
    ///
    /// The compressor and its output buffer come from `DeflatePool` and go back to it: both were
    /// allocated per block, and each was above glibc's mmap threshold (`Platform.tuneAllocator`,
    /// 128 KiB; libdeflate's state at level 6 is 656 KiB, the output bound about the
    /// input's size), so every block was a fresh mapping whose pages faulted in as libdeflate
    /// cleared its tables and wrote its output, and an unmapping after: a quarter of the page
    /// faults of `tracetail ingest`.
    package static func withDeflated<T>(
        _ input: [UInt8], level: Int32 = 6, _ body: (UnsafeBufferPointer<UInt8>) throws -> T
    ) throws -> T {
        var lease = try DeflatePool.shared.take(level: level)
        defer { DeflatePool.shared.give(lease) }
        let bound = libdeflate_deflate_compress_bound(lease.compressor.pointer, input.count)
        if lease.output.count < bound {
            // Not zero-filled: libdeflate writes what it returns, and pages it never reaches (the
            // bound is about eight times a block's stream) are never made resident. The bytes are
            // declared initialized without being so; only the `written` ones libdeflate wrote are
            // ever read, and the array is the lease's alone, never copied.
            lease.output = [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { $1 = $0.count }
        }
        let compressor = lease.compressor.pointer
        let written = input.withUnsafeBytes { inBuffer in
            lease.output.withUnsafeMutableBytes { outBuffer in
                libdeflate_deflate_compress(compressor, inBuffer.baseAddress, inBuffer.count, outBuffer.baseAddress, outBuffer.count)
            }
        }
        guard written > 0 || input.isEmpty else { throw Failure(operation: "deflate", code: 0) }
        return try lease.output.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<written])) }
    }

    /// The CRC-32 (ISO-HDLC, as gzip and zlib compute it) of `bytes`.
    package static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        libdeflate_crc32(0, bytes.baseAddress, bytes.count)
    }

    /// Inflates a raw deflate stream whose inflated size is known (or a bound of it).
    package static func inflate(_ input: [UInt8], expectedSize: Int) throws -> [UInt8] {
        try input.withUnsafeBytes { try inflate($0, expectedSize: expectedSize) }
    }

    /// Inflates a raw deflate stream in place where it lies (a row's blob, not copied first) into a
    /// new array, not zero-filled first.
    package static func inflate(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
        guard let decompressor = libdeflate_alloc_decompressor() else { throw Failure(operation: "inflate (allocation)", code: 0) }
        defer { libdeflate_free_decompressor(decompressor) }
        var status = LIBDEFLATE_SUCCESS
        let output = [UInt8](unsafeUninitializedCapacity: max(expectedSize, 1)) { buffer, count in
            var written = 0
            status = libdeflate_deflate_decompress(decompressor, input.baseAddress, input.count, buffer.baseAddress, buffer.count, &written)
            count = status == LIBDEFLATE_SUCCESS ? written : 0
        }
        guard status == LIBDEFLATE_SUCCESS else { throw Failure(operation: "inflate", code: Int32(status.rawValue)) }
        return output
    }
}

/// libdeflate compressors and their output buffers, kept for the next block instead of
/// allocated per block (`Zlib.withDeflated`). A compressor serves one caller at a time; blocks are
/// compressed on the global queue's threads, about one per core; `kept` are kept per level and
/// any beyond are freed.
final class DeflatePool: Sendable {
    static let shared = DeflatePool()
    /// Kept per level. Each kept one stays resident (libdeflate's state is 656 KiB at level 6,
    /// 200 KiB at level 1), and ingest's peak RSS has a target (64 MB) with little room: one per
    /// level, which serves most blocks; a block compressed beside another at the same level gets
    /// a compressor of its own, freed after, as every block did before. Keeping one per core (two
    /// here) ingested 10M pino records no faster (66.1 against 65.7 CPU-s, one run each); on 2M
    /// records, three runs each, its anonymous memory at the peak was 29.8-31.3 MB against 30.3.
    static let kept = 1

    /// libdeflate's compressor: its calls are made by one holder at a time (`Lease`).
    struct Compressor: @unchecked Sendable {
        let pointer: OpaquePointer
        let level: Int32
    }

    struct Lease: Sendable {
        let compressor: Compressor
        var output: [UInt8]
    }

    private let free = Mutex<[Lease]>([])

    func take(level: Int32) throws -> Lease {
        let kept = free.withLock { leases -> Lease? in
            guard let index = leases.lastIndex(where: { $0.compressor.level == level }) else { return nil }
            return leases.remove(at: index)
        }
        if let kept { return kept }
        guard let pointer = libdeflate_alloc_compressor(level) else { throw Zlib.Failure(operation: "deflate (allocation)", code: level) }
        return Lease(compressor: Compressor(pointer: pointer, level: level), output: [])
    }

    func give(_ lease: Lease) {
        let surplus = free.withLock { leases -> Lease? in
            guard leases.count(where: { $0.compressor.level == lease.compressor.level }) < Self.kept else { return lease }
            leases.append(lease)
            return nil
        }
        if let surplus { libdeflate_free_compressor(surplus.compressor.pointer) }
    }
}

/// Streaming gzip decoder for `.gz` rotated copies: bytes in, bytes out, bounded memory.
/// Concatenated gzip members are followed. `isComplete` says whether the input so far ends at the
/// end of a member: a copy cut short (still being written, or truncated) is not.
package final class GzipStreamDecoder {
    private var stream = z_stream()
    private var finished = false
    private var started = false

    package init() throws {
        // 16 + MAX_WBITS: expect a gzip header.
        let status = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw Zlib.Failure(operation: "inflateInit2", code: status) }
    }

    deinit { inflateEnd(&stream) }

    /// Whether some input was given and it ended exactly at the end of a gzip member.
    package var isComplete: Bool { started && finished }

    /// Decodes a chunk; returns the bytes it yields.
    package func decode(_ input: [UInt8]) throws -> [UInt8] {
        guard !input.isEmpty else { return [] }
        started = true
        if finished {
            // More input after a member's end: another member.
            inflateReset(&stream)
            finished = false
        }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        try input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            while true {
                let (status, produced, full): (Int32, Int, Bool) = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, outBuffer.count - Int(stream.avail_out), stream.avail_out == 0)
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END {
                    if stream.avail_in == 0 {
                        finished = true
                        break
                    }
                    inflateReset(&stream)
                    continue
                }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    throw Zlib.Failure(operation: "gzip inflate", code: status)
                }
                // Everything consumed and nothing more held back (the output was not full).
                if stream.avail_in == 0 && !full { break }
                if produced == 0 && status == Z_BUF_ERROR { break }
            }
        }
        stream.next_in = nil
        return output
    }
}
