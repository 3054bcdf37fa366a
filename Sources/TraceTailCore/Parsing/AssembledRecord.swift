/// One record cut from a file: its complete original text and where it sits.
package struct AssembledRecord: Sendable, Equatable {
    /// The original bytes, every line of the record joined by their `\n`, without the final line end
    /// (a CR before it is kept). For a PM2 `log_type: json` file, the decoded text the app wrote (the
    /// envelope's `message`), one record per line or group of lines, halves joined across envelopes.
    package var raw: [UInt8]
    /// Offset of the record's first byte in the file (for an envelope record, of the envelope line
    /// holding its first byte).
    package var startOffset: Int64
    /// Offset just past the record's last line end (for an envelope record, past the envelope line
    /// holding its last byte; records sharing an envelope share these offsets).
    package var endOffset: Int64
    /// The record was longer than `maxRecordBytes` and `raw` holds only its start.
    package var truncated: Bool
    /// For a record from a PM2 JSON envelope, the envelope's `timestamp` (ms since the epoch) of the
    /// envelope holding its first byte: the record's time when the record carries none. Pass the
    /// record (or this value as `fallbackTime`) to `RecordParser`.
    package var envelopeTime: Int64?

    package init(raw: [UInt8], startOffset: Int64, endOffset: Int64, truncated: Bool = false, envelopeTime: Int64? = nil) {
        self.raw = raw
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.truncated = truncated
        self.envelopeTime = envelopeTime
    }
}
