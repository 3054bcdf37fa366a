import Foundation

/// Standard output through one buffer written with write(2), for text and raw record bytes
/// alike (raw text need not be valid UTF-8, so it cannot go through `print`).
struct Output {
    private var buffer: [UInt8] = []

    mutating func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(10)
        if buffer.count >= 64 * 1024 { flush() }
    }

    mutating func line(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        buffer.append(10)
        if buffer.count >= 64 * 1024 { flush() }
    }

    mutating func flush() {
        var written = 0
        while written < buffer.count {
            let n = buffer[written...].withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            written += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
