/// What the tailer saw of a file at one look: enough to tell growth, truncation and replacement
/// apart without trusting sizes alone.
package struct FileObservation: Sendable, Equatable {
    package var device: UInt64
    package var inode: UInt64
    package var size: Int64
    /// Hash of the file's first `headLength` bytes of the saved state, or nil if it has fewer.
    package var headHash: UInt64?
    /// Hash of the `FileFingerprint.tailSize` bytes before the saved offset, or nil if the file is
    /// shorter than the offset.
    package var tailHash: UInt64?

    package init(device: UInt64, inode: UInt64, size: Int64, headHash: UInt64?, tailHash: UInt64?) {
        self.device = device
        self.inode = inode
        self.size = size
        self.headHash = headHash
        self.tailHash = tailHash
    }
}

/// What to do with a followed file after a look at it.
package enum TailAction: Sendable, Equatable {
    /// Nothing new.
    case idle
    /// New bytes after the saved offset.
    case read(from: Int64)
    /// The file was truncated in place (`pm2 flush`, pm2-logrotate, `copytruncate`), possibly grown
    /// again since: look for a rotated copy holding the unread remainder, then read from 0.
    case truncated
    /// The path now holds another file (deleted and recreated, or renamed over).
    case replaced
}

/// The tail decision as a pure function of the saved state and an observation.
package enum TailDecision {
    package static func decide(_ state: FileState, _ observation: FileObservation) -> TailAction {
        if observation.device != state.device || observation.inode != state.inode {
            return .replaced
        }
        if observation.size < state.offset {
            return .truncated
        }
        if state.headLength > 0, observation.headHash != state.headHash {
            // Same inode, different first bytes: truncated and rewritten (or the inode was reused).
            return .truncated
        }
        if state.offset > 0, observation.tailHash != state.tailHash {
            // Grew back past the offset after a truncation: the bytes before the offset changed.
            return .truncated
        }
        if observation.size > state.offset {
            return .read(from: state.offset)
        }
        return .idle
    }

    /// Whether a rotated copy holds what was read of a live file: its first bytes are the live
    /// file's head and its bytes before the live offset are the ones read there. Returns the offset
    /// to continue the copy from, or nil when the copy is not of this file.
    ///
    /// - Parameters:
    ///   - live: the saved state of the file the copy is named after.
    ///   - copySize: the copy's size.
    ///   - copyHeadHash: hash of the copy's first `live.headLength` bytes.
    ///   - copyTailHash: hash of the `tailSize` bytes of the copy before `live.offset` (nil if shorter).
    package static func continuation(
        of live: FileState, copySize: Int64, copyHeadHash: UInt64?, copyTailHash: UInt64?
    ) -> Int64? {
        guard live.offset > 0, live.headLength > 0, copyHeadHash == live.headHash else { return nil }
        if copySize >= live.offset {
            return copyTailHash == live.tailHash ? live.offset : nil
        }
        // The copy stops before what was read (the tailer read lines appended after the copy was
        // made): nothing in it is new.
        return copySize
    }
}
