/// Turns one record's original text into fields. Pure: the same text and options give the same
/// fields, so the store can keep only the text and re-derive the message when it is read.
package struct RecordParser: Sendable {
    package struct Options: Sendable, Equatable {
        /// Seconds east of UTC for times written without a zone (PM2 `--time` prefixes,
        /// pino-pretty's default `HH:MM:ss.l`).
        package var localUTCOffsetSeconds: Int

        package init(localUTCOffsetSeconds: Int = 0) {
            self.localUTCOffsetSeconds = localUTCOffsetSeconds
        }
    }

    package var options: Options

    package init(options: Options = Options()) {
        self.options = options
    }

    /// Parses a record. `referenceTime` (ms since the epoch) supplies the date for times written
    /// without one; it is the time the record was read.
    package func parse(_ raw: [UInt8], referenceTime: Int64) -> RecordFields {
        let text = String(decoding: raw, as: UTF8.self)
        var fields = RecordFields(message: text)
        if raw.first == UInt8(ascii: "{") {
            fields.format = .json
            // Interim: the first "trace_id" string value only; the full parser replaces this.
            let marker = Array(#""trace_id":""#.utf8)
            if raw.count > marker.count, let start = (0...(raw.count - marker.count)).first(where: { raw[$0..<$0 + marker.count].elementsEqual(marker) }) {
                let valueStart = start + marker.count
                if let end = raw[valueStart...].firstIndex(of: UInt8(ascii: "\"")) {
                    fields.traceID = TraceID(String(decoding: raw[valueStart..<end], as: UTF8.self))
                }
            }
        }
        return fields
    }
}
