import TraceTailCore

/// One followed file: its saved state, an open descriptor, and the records being cut from it.
struct TrackedFile {
    /// The state as last handed to a commit (or registered).
    var state: FileState
    /// The position the store has acknowledged: `state.offset` once its commit succeeded.
    var storedOffset: Int64
    var fd: Int32
    var assembler: RecordAssembler
    /// When bytes last arrived (ms), for closing a record whose continuation never comes.
    var lastData: Int64 = 0
    var lastSize: Int64 = -1
    var lastModified: Int64 = -1
    /// Counters including what is not committed yet.
    var counters: FileCounters
    /// The path no longer names this file (deleted, or renamed out of the directory): read what is
    /// left through the descriptor, then let it go.
    var gone = false
    /// Changed since the last commit.
    var dirty = false
    /// A `.gz` rotated copy: inflated from its start, a chunk per pass, once.
    var compressed: Bool
    /// The size a `.gz` copy had when it was found cut short or damaged: not read again until
    /// its size changes.
    var failedSize: Int64?
    /// How far a `.gz` copy has been inflated, while it is being read.
    var gzip: GzipProgress?
    /// The time of the last record cut from this file, and whether the bytes being read are a
    /// backlog (first read since start, or far behind the end): see `collect`.
    var lastTime: Int64?
    var catchingUp = false
    /// The last record cut from this file was JSON: its backlog is parsed on every core first
    /// (`feed`).
    var lastWasJSON = false
    var neverRead = true
    /// Records at the start of a backlog with no time of their own and none before them: they
    /// wait (within one read) for the next record with a time.
    var untimed: [(AssembledRecord, RecordFields)] = []
    /// The last bytes read before `assembler.readOffset`, for the fingerprint before the offset.
    var recent: [UInt8] = []

    init(state: FileState, fd: Int32, maxRecordBytes: Int) {
        self.state = state
        self.storedOffset = state.offset
        self.fd = fd
        self.assembler = RecordAssembler(offset: state.offset, options: AssemblerOptions(maxRecordBytes: maxRecordBytes))
        self.counters = state.counters
        self.compressed = state.path.hasSuffix(".gz")
    }

    static let recentLimit = 64 * 1024

    mutating func remember(_ bytes: [UInt8]) {
        if bytes.count >= Self.recentLimit {
            recent = Array(bytes.suffix(Self.recentLimit))
        } else {
            recent.append(contentsOf: bytes)
            if recent.count > 2 * Self.recentLimit { recent.removeFirst(recent.count - Self.recentLimit) }
        }
    }

    /// The bytes `[offset - length, offset)` if they are still in `recent`.
    func recentBytes(endingAt offset: Int64, length: Int) -> ArraySlice<UInt8>? {
        let recentStart = assembler.readOffset - Int64(recent.count)
        let start = offset - Int64(length)
        guard start >= recentStart, offset <= assembler.readOffset else { return nil }
        let lower = Int(start - recentStart)
        return recent[lower..<lower + length]
    }
}
