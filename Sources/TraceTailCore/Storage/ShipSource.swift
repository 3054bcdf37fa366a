/// A host's store seen by the shipper that copies it into a fleet store (PostgreSQL): its blocks
/// with records the fleet store has not acknowledged yet, and the acknowledgements, which the
/// host's store keeps. A block's records only grow (an open block gets more, a sealed one none),
/// so "the fleet store holds the first n records of block b" is the whole ledger of a block.
package protocol ShipSource: Sendable {
    /// Blocks holding records the fleet store has not acknowledged, oldest partition first, at
    /// most `limit` of them and about `maxBytes` of compressed data (at least one block).
    func unshippedBlocks(limit: Int, maxBytes: Int) async throws -> [ShipmentBlock]

    /// Records that the fleet store now holds the first `records` records of these blocks.
    func acknowledge(_ acknowledgements: [ShipmentAcknowledgement]) async throws

    /// What is still to ship.
    func shippingBacklog() async throws -> ShippingBacklog

    /// The store's own random id (a UUID's text), made once with the store: with the host name,
    /// what the fleet store knows the store by.
    func storeID() async throws -> String

    /// Whether the fleet store has acknowledged any block the store still holds: a store that
    /// shipped before, not a new one.
    func hasShipped() async throws -> Bool
}

/// One block as the host's store holds it: the compressed data, its summary and its file.
package struct ShipmentBlock: Sendable {
    /// The host's partition (a day of storing) and the block's id in it: with the host's name,
    /// the block's key in the fleet store.
    package var partition: Int64
    package var block: Int64
    /// The UTC day (days since the epoch) the partition starts in: the fleet store's partition.
    package var day: Int64
    package var file: FileState
    package var firstOffset: Int64
    package var endOffset: Int64
    package var minTime: Int64
    package var maxTime: Int64
    package var records: Int
    package var rawBytes: Int
    package var payloadBytes: Int
    package var filter: [UInt8]
    /// The block as stored (`BlockCodec`'s stored form, or the deflate stream of an older block).
    package var data: [UInt8]
    /// Records already acknowledged by the fleet store, by the host's ledger.
    package var acknowledged: Int

    package init(
        partition: Int64, block: Int64, day: Int64, file: FileState, firstOffset: Int64, endOffset: Int64,
        minTime: Int64, maxTime: Int64, records: Int, rawBytes: Int, payloadBytes: Int, filter: [UInt8],
        data: [UInt8], acknowledged: Int
    ) {
        self.partition = partition
        self.block = block
        self.day = day
        self.file = file
        self.firstOffset = firstOffset
        self.endOffset = endOffset
        self.minTime = minTime
        self.maxTime = maxTime
        self.records = records
        self.rawBytes = rawBytes
        self.payloadBytes = payloadBytes
        self.filter = filter
        self.data = data
        self.acknowledged = acknowledged
    }

    /// The block's records (decoded from `data`).
    package func decode(texts: Bool = false) throws -> [IndexedRecord] {
        try BlockCodec.decode(stored: data, payloadBytes: payloadBytes, texts: texts)
    }
}

package struct ShipmentAcknowledgement: Sendable, Equatable {
    package var partition: Int64
    package var block: Int64
    package var records: Int

    package init(partition: Int64, block: Int64, records: Int) {
        self.partition = partition
        self.block = block
        self.records = records
    }
}

/// What the host holds that the fleet store does not, yet.
package struct ShippingBacklog: Sendable, Equatable {
    package var blocks: Int64 = 0
    package var records: Int64 = 0
    /// The compressed size of the blocks still to ship (whole blocks).
    package var bytes: Int64 = 0
    /// When the oldest change not yet shipped was stored (ms since the epoch).
    package var oldestStoredAt: Int64?

    package init(blocks: Int64 = 0, records: Int64 = 0, bytes: Int64 = 0, oldestStoredAt: Int64? = nil) {
        self.blocks = blocks
        self.records = records
        self.bytes = bytes
        self.oldestStoredAt = oldestStoredAt
    }
}
