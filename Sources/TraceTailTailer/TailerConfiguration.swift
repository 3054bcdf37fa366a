import TraceTailCore

/// How the tailer follows a directory.
package struct TailerConfiguration: Sendable, Equatable {
    /// The PM2 log directory.
    package var directory: String
    /// File name patterns (fnmatch) to follow.
    package var include: [String]
    /// File name patterns to leave alone, even when they match `include`.
    package var exclude: [String]
    /// How often files are looked at when no change notification arrives (milliseconds).
    package var pollIntervalMillis: Int64
    /// Records are committed at least this often while data flows (milliseconds).
    package var flushIntervalMillis: Int64
    /// ... or as soon as this much text is waiting.
    package var flushBytes: Int
    /// A record whose continuation lines may still come is closed after this idle time (ms).
    package var groupIdleMillis: Int64
    /// Longest record kept; the rest is skipped and the record flagged as truncated.
    package var maxRecordBytes: Int
    /// Most bytes read from one file in one pass, so that a burst in one file does not starve others.
    package var readChunkBytes: Int
    /// Use inotify to hear of changes at once; polling stays on as a fallback.
    package var useInotify: Bool
    /// With inotify, the shortest time from the start of one pass to the start of the next
    /// (milliseconds; 0: a pass on every change). While files are written without pause, each
    /// pass then reads what gathered meanwhile: fewer, larger reads, parses and commits, and less
    /// CPU a record; a record waits at most this much longer before it is read.
    package var minPassIntervalMillis: Int64
    /// The parser's settings (time zone of zone-less times).
    package var parser: RecordParser.Options
    /// Threads a backlog of JSON records is parsed on (one per core by default; 1: in order on
    /// the tailer's own thread).
    package var parseThreads: Int

    package init(
        directory: String,
        include: [String] = ["*.log", "*.log.gz", "*.log.[0-9]*"],
        exclude: [String] = ["pm2.log", "*.pid", "*.pid.log"],
        pollIntervalMillis: Int64 = 250,
        flushIntervalMillis: Int64 = 250,
        flushBytes: Int = 1536 << 10,
        groupIdleMillis: Int64 = 300,
        maxRecordBytes: Int = 1 << 20,
        readChunkBytes: Int = 256 << 10,
        useInotify: Bool = true,
        minPassIntervalMillis: Int64 = 50,
        parser: RecordParser.Options = RecordParser.Options(),
        parseThreads: Int = Platform.activeCores
    ) {
        self.directory = directory
        self.include = include
        self.exclude = exclude
        self.pollIntervalMillis = pollIntervalMillis
        self.flushIntervalMillis = flushIntervalMillis
        self.flushBytes = flushBytes
        self.groupIdleMillis = groupIdleMillis
        self.maxRecordBytes = maxRecordBytes
        self.readChunkBytes = readChunkBytes
        self.useInotify = useInotify
        self.minPassIntervalMillis = max(0, minPassIntervalMillis)
        self.parser = parser
        self.parseThreads = max(1, parseThreads)
    }
}
