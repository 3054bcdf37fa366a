import Foundation
import TraceTailCore

/// The pages of a packed run of the trace index (`runpages_<p>`): a run's `(key, block)` pairs in
/// key order, cut into pages of about `targetBytes`, each one row whose id is the run and the
/// page's last key (`rowID`). A key's pairs are never cut across two pages, so the first page of
/// a run whose last key is at least k holds every pair of k.
///
/// A page is varints, nothing else: per pair, the key's distance from the previous key (the
/// first: the key plus 2^31), then the block (when the key is the previous one's: the distance
/// from the previous block, which is smaller, since a key's blocks are in order).
///
/// Why: one row per pair, `(run, key, block) WITHOUT ROWID`, took about 15 bytes a pair with
/// SQLite's cell and record headers; a page takes 3 to 6. The trace index was 3.6 MB of a
/// 43.2 MB store of 1M orchestrator records (gzip -6 of the files: 41.1 MB).
enum PostingPages {
    /// About two pages fit in a 2 KiB SQLite page, under the size at which a row's data spills into
    /// an overflow page (2,013 bytes there).
    static let targetBytes = 960

    /// The row id of a page: the run in the high bits, the page's last key (moved to 0...2^32 - 1,
    /// so that ids sort as keys do) in the low 33.
    static func rowID(run: Int64, lastKey: Int32) -> Int64 {
        run * runStride + (Int64(lastKey) + (1 << 31))
    }

    /// How far apart the row ids of two runs start (the SQL of lookups computes ids with it).
    static let runStride: Int64 = 1 << 33

    /// The first row id of a run, and the first after it.
    static func rowIDs(run: Int64) -> Range<Int64> { run * runStride..<(run + 1) * runStride }

    /// Builds pages from pairs given in key and block order; a pair given twice is kept once.
    struct Writer {
        private(set) var pages: [(lastKey: Int32, data: [UInt8])] = []
        private var data: [UInt8] = []
        private var last: (key: Int32, block: Int64)?
        private(set) var pairs = 0
        /// false: one page, however large (a page written again with the keys a merge slice left).
        private let cutting: Bool

        init(cutting: Bool = true) {
            self.cutting = cutting
        }

        mutating func add(key: Int32, block: Int64) {
            if let last {
                precondition(key > last.key || (key == last.key && block >= last.block), "pairs out of order")
                if key == last.key && block == last.block { return }
                if cutting && key != last.key && data.count >= PostingPages.targetBytes {
                    pages.append((last.key, data))
                    data = []
                    data.reserveCapacity(PostingPages.targetBytes + 16)
                }
            }
            if let last, !data.isEmpty {
                Varint.append(UInt64(Int64(key) - Int64(last.key)), to: &data)
                Varint.append(UInt64(bitPattern: key == last.key ? block - last.block : block), to: &data)
            } else {
                Varint.append(UInt64(Int64(key) + (1 << 31)), to: &data)
                Varint.append(UInt64(bitPattern: block), to: &data)
            }
            last = (key, block)
            pairs += 1
        }

        /// The pages, with the last one.
        mutating func finish() -> [(lastKey: Int32, data: [UInt8])] {
            if let last, !data.isEmpty { pages.append((last.key, data)) }
            data = []
            return pages
        }
    }

    /// Every pair of a page, in order.
    static func pairs(_ data: Data) throws -> [(key: Int32, block: Int64)] {
        var out: [(key: Int32, block: Int64)] = []
        try scan(data) { key, block in
            out.append((key, block))
            return true
        }
        return out
    }

    /// The blocks of one key in a page.
    static func blocks(_ data: Data, key wanted: Int32) throws -> [Int64] {
        var out: [Int64] = []
        try scan(data) { key, block in
            if key == wanted { out.append(block) }
            return key <= wanted
        }
        return out
    }

    /// Reads a page's pairs in order until `body` says stop. A corrupt page throws.
    private static func scan(_ data: Data, _ body: (Int32, Int64) -> Bool) throws {
        try data.withUnsafeBytes { raw in
            var reader = ByteReader(raw.bindMemory(to: UInt8.self))
            var key: Int64 = 0
            var block: Int64 = 0
            var first = true
            while !reader.isAtEnd {
                let keyStep = try reader.varint()
                let blockValue = try reader.varint()
                guard keyStep <= UInt64(UInt32.max), blockValue <= UInt64(Int64.max) else {
                    throw ByteReader.Corrupt(offset: reader.position)
                }
                if first {
                    key = Int64(keyStep) - (1 << 31)
                    block = Int64(blockValue)
                    first = false
                } else {
                    key += Int64(keyStep)
                    if keyStep == 0 {
                        // Pairs of a key come in block order: a step that overflows is damage (it
                        // would hand a merge pairs out of order, which its writer refuses by a trap).
                        let (next, overflow) = block.addingReportingOverflow(Int64(blockValue))
                        guard !overflow else { throw ByteReader.Corrupt(offset: reader.position) }
                        block = next
                    } else {
                        block = Int64(blockValue)
                    }
                }
                guard let folded = Int32(exactly: key) else { throw ByteReader.Corrupt(offset: reader.position) }
                if !body(folded, block) { return }
            }
        }
    }
}
