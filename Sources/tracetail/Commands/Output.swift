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

    /// Writes what is buffered. A reader that stopped reading (`| head`: EPIPE) ends the command
    /// quietly, as it would end `cat`; any other failure (a full disk, `> /dev/full`) ends it with
    /// a message and status 1: it used to stop writing and exit 0, the output cut short unsaid.
    mutating func flush() {
        var written = 0
        while written < buffer.count {
            let n = buffer[written...].withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                let failure = n < 0 ? errno : EIO
                if failure == EPIPE { exit(0) }
                FileHandle.standardError.write(Data("Error: cannot write the output: \(String(cString: strerror(failure)))\n".utf8))
                exit(1)
            }
            written += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
