/// What the store remembers of one log file between reads and across restarts: which file it is
/// and how far it has been read. Saved in the same transaction as the records read from it.
package struct FileState: Sendable, Equatable {
    package enum Status: String, Sendable {
        /// Being followed.
        case live
        /// Read to its end and let go (deleted, renamed away, or a rotated copy read in full).
        case retired
    }

    /// Assigned by the store when the file is registered.
    package var id: Int64
    /// The file's name relative to the log directory.
    package var path: String
    package var app: String
    package var stream: LogStream
    package var instance: Int?
    package var device: UInt64
    package var inode: UInt64
    /// The file's identity: a hash of its first `headLength` bytes (up to `FileFingerprint.headSize`).
    package var headLength: Int
    package var headHash: UInt64
    /// Every byte before this offset has been stored; none after it.
    package var offset: Int64
    /// A hash of the bytes just before `offset` (up to `FileFingerprint.tailSize` of them), to
    /// recognise a truncated file that grew back past `offset`.
    package var tailHash: UInt64
    package var status: Status
    package var counters: FileCounters
    /// The host the file is on: the local daemon's host name, or the shipper's in a fleet store.
    /// Not part of the file's identity on its host; set by the store that reads it.
    package var host: String = ""

    package init(
        id: Int64 = 0, path: String, app: String, stream: LogStream, instance: Int?,
        device: UInt64, inode: UInt64, headLength: Int = 0, headHash: UInt64 = FileFingerprint.emptyHash,
        offset: Int64 = 0, tailHash: UInt64 = FileFingerprint.emptyHash, status: Status = .live,
        counters: FileCounters = FileCounters()
    ) {
        self.id = id
        self.path = path
        self.app = app
        self.stream = stream
        self.instance = instance
        self.device = device
        self.inode = inode
        self.headLength = headLength
        self.headHash = headHash
        self.offset = offset
        self.tailHash = tailHash
        self.status = status
        self.counters = counters
    }
}

/// Per-file counters, kept with the file's position.
package struct FileCounters: Sendable, Equatable {
    package var bytesRead: Int64 = 0
    package var records: Int64 = 0
    package var truncations: Int64 = 0
    package var rotations: Int64 = 0
    package var bytesSkipped: Int64 = 0
    package var linesTruncated: Int64 = 0

    package init() {}
}

/// The hashes behind file identity: FNV-1a, 64 bits. Not cryptographic; it tells files apart.
package enum FileFingerprint {
    /// How many head bytes identify a file.
    package static let headSize = 1024
    /// How many bytes before the saved offset are compared to recognise truncation and regrowth.
    package static let tailSize = 256
    package static let emptyHash: UInt64 = FNV.offset

    /// Contiguous bytes are hashed over their buffer (`FNV.hash`).
    @inlinable
    package static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        FNV.hash(bytes)
    }
}
