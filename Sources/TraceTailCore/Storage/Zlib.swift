import CZlib

/// zlib through the system libz: raw deflate for blocks (no zlib header or Adler-32 checksum:
/// the block decoder checks structure, and the checksum cost 5 % of a lookup), and gzip inflate
/// for `.gz` rotated copies.
package enum Zlib {
    package struct Failure: Error, CustomStringConvertible {
        package var operation: String
        package var code: Int32
        package var description: String { "zlib \(operation) failed with code \(code)" }
    }

    /// Compresses `input` as one raw deflate stream at `level` (0...9).
    package static func deflate(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw Failure(operation: "deflateInit", code: status) }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        return try finish(&stream, input, capacity: bound, operation: "deflate") { CZlib.deflate(&$0, Z_FINISH) }
    }

    /// Inflates a raw deflate stream whose inflated size is known (or a bound of it).
    package static func inflate(_ input: [UInt8], expectedSize: Int) throws -> [UInt8] {
        var stream = z_stream()
        let status = inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw Failure(operation: "inflateInit", code: status) }
        defer { inflateEnd(&stream) }
        return try finish(&stream, input, capacity: max(expectedSize, 1), operation: "inflate") { CZlib.inflate(&$0, Z_FINISH) }
    }

    /// Runs one whole-buffer step of an initialised stream: all of `input` in, at most `capacity`
    /// bytes out; the stream must end there.
    private static func finish(
        _ stream: inout z_stream, _ input: [UInt8], capacity: Int, operation: String,
        _ step: (inout z_stream) -> Int32
    ) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: capacity)
        var status: Int32 = Z_OK
        let written: Int = input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                status = step(&stream)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(operation: operation, code: status) }
        output.removeSubrange(written...)
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
