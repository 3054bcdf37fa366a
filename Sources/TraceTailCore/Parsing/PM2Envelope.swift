/// PM2's `log_type: 'json'` lines: `{"message":"<raw chunk>","timestamp":"<ISO>","type":"out",
/// "process_id":3,"app_name":"api"}`. The chunk may hold several lines, half a line, and its `\n`.
package enum PM2Envelope {
    package struct Decoded: Sendable, Equatable {
        /// The chunk the app wrote, decoded.
        package var message: [UInt8]
        /// The envelope's `timestamp` in ms since the epoch.
        package var time: Int64?
    }

    /// Cheap test for the envelope's opening, before any decoding.
    @inline(__always)
    package static func mayBeEnvelope(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        ByteClass.hasPrefix(b, 0, b.count, "{\"message\":\"")
    }

    /// Decodes an envelope line (without its `\n`); nil when the line is not a complete envelope.
    package static func decode(_ b: UnsafeBufferPointer<UInt8>) -> Decoded? {
        guard mayBeEnvelope(b) else { return nil }
        let end = ByteClass.trimEnd(b, 0, b.count)
        guard end > 0, b[end - 1] == UInt8(ascii: "}") else { return nil }
        let start = 12
        var j = start
        while j < end && b[j] != UInt8(ascii: "\"") {
            j += b[j] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard j < end else { return nil }
        // The rest must carry PM2's own keys, or this is an app's JSON that happens to start alike.
        var collector = EnvelopeKeys()
        collector.scan(b, j + 1, end)
        guard collector.hasProcessID, collector.hasAppName else { return nil }
        var message = [UInt8]()
        message.reserveCapacity(j - start)
        TextCleaner.unescape(b, start, j, into: &message)
        var time: Int64? = nil
        // A zone-less envelope timestamp is read as UTC, as it always was.
        if let t = collector.timestamp, let parsed = DateTimeParser.parse(b, t.lowerBound, t.upperBound) {
            time = parsed.utc(localUTCOffsetSeconds: 0)
        }
        return Decoded(message: message, time: time)
    }

    /// The keys after `message`: `"timestamp":"..."`, `"process_id":`, `"app_name":`.
    private struct EnvelopeKeys {
        var timestamp: Range<Int>?
        var hasProcessID = false
        var hasAppName = false

        mutating func scan(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
            var i = start
            while i < end {
                guard b[i] == UInt8(ascii: "\"") else {
                    i += 1
                    continue
                }
                var j = i + 1
                while j < end && b[j] != UInt8(ascii: "\"") {
                    j += b[j] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard j < end else { return }
                let isKey = j + 1 < end && b[j + 1] == UInt8(ascii: ":")
                if isKey {
                    if ByteClass.equalsFolded(b, i + 1, j, "process_id") { hasProcessID = true }
                    if ByteClass.equalsFolded(b, i + 1, j, "app_name") { hasAppName = true }
                    if ByteClass.equalsFolded(b, i + 1, j, "timestamp"), j + 2 < end, b[j + 2] == UInt8(ascii: "\"") {
                        let vStart = j + 3
                        let vEnd = ByteClass.find(UInt8(ascii: "\""), b, vStart, end)
                        timestamp = vStart..<vEnd
                        i = vEnd + 1
                        continue
                    }
                }
                i = j + 1
            }
        }
    }
}
