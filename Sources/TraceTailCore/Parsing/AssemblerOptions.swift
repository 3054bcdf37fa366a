/// Options for turning a file's bytes into records.
package struct AssemblerOptions: Sendable, Equatable {
    /// Longest record kept, in bytes; the rest of a longer record is skipped and the record is
    /// flagged as truncated. Memory stays bounded by this.
    package var maxRecordBytes: Int
    /// Recognise Node's crash banner (`file:line`, source line, caret, blank line, error, frames, blank
    /// line, `Node.js v20...`) as one record. Meant for `-error` and combined files; harmless elsewhere
    /// because the pattern is strict, but it delays a lone `name:123` line until the next line.
    package var crashBanners: Bool

    package init(maxRecordBytes: Int = 1 << 20, crashBanners: Bool = true) {
        self.maxRecordBytes = max(1, maxRecordBytes)
        self.crashBanners = crashBanners
    }
}
