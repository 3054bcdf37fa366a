import CLibDeflate
import CZlib

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
        guard let compressor = libdeflate_alloc_compressor(level) else { throw Failure(operation: "deflate (allocation)", code: level) }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_deflate_compress_bound(compressor, input.count)
        var output = [UInt8](repeating: 0, count: max(bound, 1))
        let written = input.withUnsafeBytes { inBuffer in
            output.withUnsafeMutableBytes { outBuffer in
                libdeflate_deflate_compress(compressor, inBuffer.baseAddress, inBuffer.count, outBuffer.baseAddress, outBuffer.count)
            }
        }
        guard written > 0 || input.isEmpty else { throw Failure(operation: "deflate", code: 0) }
        output.removeSubrange(written...)
        return output
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
