#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import PostgresNIO
import Synchronization
import TraceTailCore

/// Copies a host's blocks into the fleet store, exactly once.
///
/// Exactly once rests on two facts: a block's records only grow, and the fleet store's row of a
/// block says how many it holds. Each block is shipped in a transaction that locks that row,
/// skips the block when the row already holds as many records, and otherwise writes the block,
/// the index rows and the trace summaries of the records beyond those it held, and the host's
/// totals; the host's own ledger (`ShipSource.acknowledge`) is written only after the commit.
/// Killed before the commit: nothing happened, the block ships again. Killed after it: the block
/// ships again and is found complete. The local tailer never waits: the shipper reads committed
/// blocks from the store's snapshots.
package final class Shipper: Sendable {
    package struct Options: Sendable {
        package var hostName: String
        /// How often the store is asked for new blocks when the last round found none.
        package var pollMillis: Int64 = 250
        /// Blocks per transaction, and about this much compressed data.
        package var batchBlocks: Int = 64
        package var batchBytes: Int = 4 << 20
        /// Waits after a failure: doubled from the first up to the last.
        package var firstBackoffMillis: Int64 = 250
        package var maximumBackoffMillis: Int64 = 8_000
        /// A round that takes longer fails (and is tried again): postgres-nio's pool waits for a
        /// connection for as long as the server is away, without an error of its own.
        package var roundTimeoutMillis: Int64 = 15_000
        /// The store this one may take the host name over from (`ship.replace_store`): a
        /// re-installed host's old store, or `legacy` for a name shipped to before store ids.
        package var replaceStore: String?
        /// While the host name is not this store's: how often that is looked at again (someone
        /// may retire the other store's row), without a log line each time.
        package var refusalRecheckMillis: Int64 = 30_000

        package init(hostName: String) {
            self.hostName = hostName
        }
    }

    /// What the shipper has done and where it stands, for `/stats` and `/metrics`.
    package struct Status: Sendable, Equatable {
        package var shippedBlocks: Int64 = 0
        package var shippedRecords: Int64 = 0
        package var shippedBytes: Int64 = 0
        /// Blocks found already complete in the fleet store (shipped before a crash).
        package var alreadyShipped: Int64 = 0
        /// Blocks shipped without their trace index because they could not be decoded here.
        package var undecodableBlocks: Int64 = 0
        package var failures: Int64 = 0
        package var lastError: String?
        package var lastShippedAt: Int64?
        package var connected = false
        package var waitingForSchema = false
        /// Why shipping is refused for this host name and store (`HostIdentityConflict`), in
        /// full; nil while the name is this store's.
        package var refused: String?

        package init() {}
    }

    let source: any ShipSource
    let database: FleetDatabase
    let options: Options
    let logger: Logger
    let state = Mutex(Status())
    /// Fleet-wide ids: this host's, and its files' by local id.
    private let ids = Mutex<(host: Int32?, files: [Int64: Int64], days: Set<Int64>)>((nil, [:], []))
    /// The sets of apps met so far and their ids in `tracetail_app_sets` (committed ones only).
    private let appSets = Mutex(AppSets())
    /// What the next round ships at most.
    private let batch: Mutex<ShipBatch>
    /// Whether the current round got a connection to the fleet store (its transaction began):
    /// a round that times out before is a server away, not a batch too large for the link.
    private let roundConnected = Mutex(false)

    package init(source: any ShipSource, database: FleetDatabase, options: Options, logger: Logger) {
        self.source = source
        self.database = database
        self.options = options
        self.logger = logger
        batch = Mutex(ShipBatch(blocks: options.batchBlocks, bytes: options.batchBytes))
    }

    package var status: Status { state.withLock { $0 } }

    /// Ships until cancelled: waits for the schema, then ships what the store holds, then what it
    /// gets, backing off while the fleet store cannot be reached.
    package func run() async {
        var backoff = options.firstBackoffMillis
        var failing = false
        while !Task.isCancelled {
            do {
                roundConnected.withLock { $0 = false }
                let started = ContinuousClock.now
                let shipped = try await withTimeout(options.roundTimeoutMillis) {
                    guard try await self.prepareOnce() else { return -1 }
                    return try await self.shipOnce()
                }
                if shipped < 0 {
                    // Waiting for the schema (logged once by `prepareOnce`): not a failure.
                    try await Task.sleep(for: .seconds(1))
                    continue
                }
                // Grown back only after a round well inside its limit: a batch just small enough
                // for a slow link would otherwise double, time out and halve every other round.
                if started.duration(to: .now) < .milliseconds(options.roundTimeoutMillis / 4) { batch.withLock { $0.shipped() } }
                if failing {
                    logger.notice("shipping works again", metadata: ["fleet": "\(database.url)"])
                }
                failing = false
                backoff = options.firstBackoffMillis
                state.withLock { $0.connected = true; $0.lastError = nil; $0.refused = nil }
                if shipped == 0 { try await Task.sleep(for: .milliseconds(options.pollMillis)) }
            } catch is CancellationError {
                break
            } catch let conflict as HostIdentityConflict {
                // Not a failure to retry soon: the name is not this store's until someone acts.
                let text = conflict.description
                let first = state.withLock { status in
                    defer { status.refused = text; status.lastError = text; status.connected = true }
                    return status.refused != text
                }
                if first {
                    logger.error("\(text)", metadata: ["fleet": "\(database.url)", "host": "\(options.hostName)"])
                }
                ids.withLock { $0 = (nil, [:], []) }
                appSets.withLock { $0 = AppSets() }
                failing = false
                backoff = options.firstBackoffMillis
                try? await Task.sleep(for: .milliseconds(options.refusalRecheckMillis))
            } catch {
                if error is RoundTimeout, roundConnected.withLock({ $0 }) {
                    // A slow link or a loaded server (the round had its connection): the same
                    // batch would time out again, for ever. Smaller rounds, down to one block,
                    // until one gets through. (postgres-nio's pool waits for a server that is away
                    // until the limit too: that is not the batch's fault.)
                    let smaller = batch.withLock { $0.timedOut() }
                    logger.debug("shipping round timed out; smaller rounds", metadata: ["blocks": "\(smaller.blocks)"])
                }
                let text = error.fleetDescription
                state.withLock {
                    $0.failures += 1
                    $0.lastError = text
                    $0.connected = false
                }
                if !failing {
                    logger.error("shipping failed; trying again with backoff", metadata: [
                        "fleet": "\(database.url)", "error": "\(text)",
                    ])
                }
                failing = true
                // The connection may be gone (a server restart): forget what it told us of days.
                ids.withLock { $0.days = [] }
                appSets.withLock { $0 = AppSets() }
                try? await Task.sleep(for: .milliseconds(backoff))
                backoff = min(options.maximumBackoffMillis, backoff * 2)
            }
        }
    }

    /// Waits until the fleet schema is there, then registers the host (once): throws
    /// `HostIdentityConflict` when the host name is not this store's (`HostRegistration`).
    package func prepare() async throws {
        while try await !prepareOnce() { try await Task.sleep(for: .seconds(1)) }
    }

    /// Registers the host (once) if the fleet schema is there; false while it is not yet (logged
    /// once). `run` waits between two looks outside its round's time limit: the wait used to
    /// run inside it and, after 15 s, was reported as a fleet store that did not answer.
    func prepareOnce() async throws -> Bool {
        guard ids.withLock({ $0.host }) == nil else { return true }
        let version = try await FleetSchema.installedVersion(database)
        if version > FleetSchema.version {
            throw FleetError("the fleet schema is version \(version), newer than this build's \(FleetSchema.version): upgrade tracetail")
        }
        guard version == FleetSchema.version else {
            let first = state.withLock { status in
                defer { status.waitingForSchema = true; status.connected = true }
                return !status.waitingForSchema
            }
            if first {
                logger.notice("waiting for the fleet schema (a query node creates it, or `tracetail pg init`)", metadata: [
                    "fleet": "\(database.url)",
                ])
            }
            return false
        }
        state.withLock { $0.waitingForSchema = false }
        let name = options.hostName
        let storeID = try await source.storeID()
        let registration = HostRegistration(
            name: name, storeID: storeID, replacing: options.replaceStore, hasShipped: try await source.hasShipped())
        let id = try await registration.register(database, logger: logger)
        ids.withLock { $0.host = id }
        logger.info("shipping to the fleet store", metadata: ["fleet": "\(database.url)", "host": "\(name)", "store_id": "\(storeID)"])
        return true
    }

    /// Ships one batch of what the store has not had acknowledged; returns how many blocks it
    /// looked at (0: nothing to do).
    @discardableResult
    package func shipOnce() async throws -> Int {
        let limit = batch.withLock { $0 }
        let blocks = try await source.unshippedBlocks(limit: limit.blocks, maxBytes: limit.bytes)
        guard !blocks.isEmpty else { return 0 }
        guard let hostID = ids.withLock({ $0.host }) else { throw FleetError("no host id yet") }
        for day in Set(blocks.map(\.day)) where !ids.withLock({ $0.days.contains(day) }) {
            try await FleetSchema.ensureDay(day, database)
            _ = ids.withLock { $0.days.insert(day) }
        }
        // Decoding happens before the transaction: it holds no lock while inflating.
        // A block that cannot be decoded (damaged on the host's disk) is shipped as it is, with no
        // index rows or trace summaries: the fleet keeps what the host keeps, and one bad block
        // never stops the host's shipping (it would come back first in every round).
        var decoded: [[IndexedRecord]] = []
        for block in blocks {
            do {
                decoded.append(try block.decode())
            } catch {
                logger.error("a block to ship cannot be decoded; shipped without its trace index", metadata: [
                    "partition": "\(block.partition)", "block": "\(block.block)", "error": "\(error)",
                ])
                state.withLock { $0.undecodableBlocks += 1 }
                decoded.append([])
            }
        }
        let host = options.hostName
        let logger = self.logger
        let known = ids.withLock { $0.files }
        let knownSets = appSets.withLock { $0 }
        let outcome = try await HostIdentityConflict.unwrapped {
            try await database.client.withTransaction(logger: logger) { connection in
                self.roundConnected.withLock { $0 = true }
                try await Self.checkStillHeld(hostID: hostID, connection, logger)
                var files = known
                var summaries = TraceSummaries()
                var result = (acks: [ShipmentAcknowledgement](), records: Int64(0), bytes: Int64(0), blocks: Int64(0), complete: Int64(0))
                for (index, block) in blocks.enumerated() {
                    let fileID = try await Self.fileID(block.file, hostID: hostID, files: &files, connection, logger)
                    let held = try await Self.heldRecords(block, hostID: hostID, fileID: fileID, connection, logger)
                    if held >= block.records {
                        result.complete += 1
                    } else {
                        try await Self.write(
                            block, records: decoded[index], held: held, hostID: hostID, fileID: fileID,
                            summaries: &summaries, connection, logger)
                        result.records += Int64(block.records - held)
                        result.bytes += Int64(block.data.count)
                        result.blocks += 1
                    }
                    result.acks.append(ShipmentAcknowledgement(partition: block.partition, block: block.block, records: block.records))
                }
                let learned = try await summaries.upsert(host: host, appSets: knownSets, connection, logger)
                if result.records > 0 {
                    try await connection.query("""
                        UPDATE tracetail_hosts SET blocks = blocks + \(result.blocks), records = records + \(result.records),
                            bytes = bytes + \(result.bytes), last_shipped_at = now()
                        WHERE id = \(hostID)
                        """, logger: logger)
                }
                return (result, files, learned)
            }
        }
        ids.withLock { $0.files = outcome.1 }
        appSets.withLock { $0.merge(outcome.2) }
        // The fleet store committed: the host's ledger learns it. A crash before this line ships
        // the blocks again, and the fleet store finds them complete.
        try await source.acknowledge(outcome.0.acks)
        let now = Self.nowMillis()
        state.withLock {
            $0.shippedBlocks += outcome.0.blocks
            $0.shippedRecords += outcome.0.records
            $0.shippedBytes += outcome.0.bytes
            $0.alreadyShipped += outcome.0.complete
            $0.lastShippedAt = now
        }
        return blocks.count
    }

    /// Throws `HostIdentityConflict` when another store took the host name over since this one
    /// registered; the row stays locked (shared) until the commit, so a take-over waits for the
    /// batch in flight.
    private static func checkStillHeld(hostID: Int32, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let rows = try await connection.query("""
            SELECT name, store_id::text, replaced_by::text,
                   to_char(retired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            FROM tracetail_hosts WHERE id = \(hostID) FOR SHARE
            """, logger: logger)
        for try await (name, store, replacedBy, retiredAt) in rows.decode((String, String?, String?, String?).self) {
            if let replacedBy {
                throw HostIdentityConflict.replaced(name: name, store: store ?? "?", by: replacedBy, at: retiredAt)
            }
        }
    }

    private static func fileID(
        _ file: FileState, hostID: Int32, files: inout [Int64: Int64], _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Int64 {
        if let id = files[file.id] { return id }
        let stream = file.stream.rawValue
        let instance = file.instance.map(Int32.init)
        let rows = try await connection.query("""
            INSERT INTO tracetail_files (host_id, local_id, path, app, stream, instance)
            VALUES (\(hostID), \(file.id), \(file.path), \(file.app), \(stream), \(instance)::int4)
            ON CONFLICT (host_id, local_id) DO UPDATE SET path = excluded.path
            RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) {
            files[file.id] = id
            return id
        }
        throw FleetError("no file id for \(file.path)")
    }

    /// How many records of the block the fleet store holds, with its row locked until the commit.
    /// A row of another file or start (the host reused a block id after deleting a block) holds
    /// none of this block.
    private static func heldRecords(
        _ block: ShipmentBlock, hostID: Int32, fileID: Int64, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Int {
        let rows = try await connection.query("""
            SELECT records::int8, file_id, first_offset FROM tracetail_blocks
            WHERE day = \(Int32(block.day)) AND host_id = \(hostID) AND part = \(block.partition) AND block = \(block.block)
            FOR UPDATE
            """, logger: logger)
        for try await (records, file, first) in rows.decode((Int64, Int64, Int64).self) {
            return file == fileID && first == block.firstOffset ? Int(records) : 0
        }
        return 0
    }

    /// Writes the block and its postings; adds its new records to the batch's trace summaries.
    private static func write(
        _ block: ShipmentBlock, records: [IndexedRecord], held: Int, hostID: Int32, fileID: Int64,
        summaries: inout TraceSummaries, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let day = Int32(block.day)
        let filter = ByteBuffer(bytes: block.filter)
        let data = ByteBuffer(bytes: block.data)
        try await connection.query("""
            INSERT INTO tracetail_blocks (day, host_id, part, block, file_id, first_offset, end_offset, min_time,
                max_time, records, raw_bytes, payload_bytes, filter, data)
            VALUES (\(day), \(hostID), \(block.partition), \(block.block), \(fileID), \(block.firstOffset),
                \(block.endOffset), \(block.minTime), \(block.maxTime), \(Int32(block.records)), \(Int32(block.rawBytes)),
                \(Int32(block.payloadBytes)), \(filter), \(data))
            ON CONFLICT (day, host_id, part, block) DO UPDATE SET file_id = excluded.file_id,
                first_offset = excluded.first_offset, end_offset = excluded.end_offset, min_time = excluded.min_time,
                max_time = excluded.max_time, records = excluded.records, raw_bytes = excluded.raw_bytes,
                payload_bytes = excluded.payload_bytes, filter = excluded.filter, data = excluded.data
            """, logger: logger)
        // Only the records beyond those held: their trace ids and summaries.
        let fresh = records.count > held ? records[held...] : []
        var keys = Set<Int32>()
        for record in fresh {
            let error = LogLevel.effective(record.level, stream: block.file.stream) >= .error
            // A record is found by its other trace ids too (an x-trace-id beside its context's),
            // and counts in each of those traces' totals, as in the host's own trace list.
            for trace in record.allTraces {
                keys.insert(FleetSchema.postingKey(trace))
                guard let id = TraceID(key: trace), case .bits = id else { continue }
                summaries.add(id, app: block.file.app, time: record.time, error: error)
            }
        }
        if !keys.isEmpty {
            let list = keys.sorted()
            // Appended, one row per shipment of the block: never updated, so no dead rows. The
            // check of the records held keeps a shipment from being written twice.
            try await connection.query("""
                INSERT INTO tracetail_postings (day, host_id, part, block, keys)
                VALUES (\(day), \(hostID), \(block.partition), \(block.block), \(list)::int4[])
                """, logger: logger)
        }
    }
}

/// A batch's new records per trace and app, upserted into `tracetail_trace_summaries` once per batch: a
/// trace whose records are in several blocks of the batch is updated once, not once a block
/// (each update leaves a dead row version behind).
struct TraceSummaries {
    struct Summary {
        var first: Int64
        var last: Int64
        var records: Int64
        var errors: Int64
    }

    private var byApp: [String: [TraceID: Summary]] = [:]

    mutating func add(_ trace: TraceID, app: String, time: Int64, error: Bool) {
        let errors: Int64 = error ? 1 : 0
        if var summary = byApp[app]?[trace] {
            summary.first = min(summary.first, time)
            summary.last = max(summary.last, time)
            summary.records += 1
            summary.errors += errors
            byApp[app]![trace] = summary
        } else {
            byApp[app, default: [:]][trace] = Summary(first: time, last: time, records: 1, errors: errors)
        }
    }

    /// Two statements: the rows' current sets of apps (so that the batch's sets can be merged
    /// with them here, against the ids this shipper knows, instead of in the database a row at
    /// a time), then the upsert of every trace of the batch, in a fixed order of traces.
    /// Returns the sets of apps learned (new ids and names), to be remembered once the
    /// transaction committed (a set added in a transaction that rolls back does not exist).
    ///
    /// The merge reads a row's set before writing it without locking it: a name's summaries
    /// are written by one shipper at a time (the host identity check locks its host row for
    /// each batch, and a store that took the name over waits for the batch in flight).
    func upsert(host: String, appSets known: AppSets, _ connection: PostgresConnection, _ logger: Logger) async throws -> AppSets {
        var byTrace: [String: (apps: Set<String>, summary: Summary)] = [:]
        for (app, summaries) in byApp {
            for (trace, summary) in summaries {
                let key = trace.uuidText.lowercased()
                if var entry = byTrace[key] {
                    entry.apps.insert(app)
                    entry.summary.first = min(entry.summary.first, summary.first)
                    entry.summary.last = max(entry.summary.last, summary.last)
                    entry.summary.records += summary.records
                    entry.summary.errors += summary.errors
                    byTrace[key] = entry
                } else {
                    byTrace[key] = ([app], summary)
                }
            }
        }
        guard !byTrace.isEmpty else { return AppSets() }
        let traces = byTrace.keys.sorted()
        var learned = AppSets()
        var current: [String: Int32] = [:]
        let rows = try await connection.query("""
            SELECT trace_id::text, app_set FROM tracetail_trace_summaries
            WHERE host_id = (SELECT min(id) FROM tracetail_hosts WHERE name = \(host)) AND trace_id = ANY (\(traces)::uuid[])
            """, logger: logger)
        for try await (trace, set) in rows.decode((String, Int32).self) { current[trace] = set }
        let unnamed = Set(current.values).filter { known.names[$0] == nil }
        if !unnamed.isEmpty {
            let named = try await connection.query(
                "SELECT id, apps FROM tracetail_app_sets WHERE id = ANY (\(Array(unnamed))::int4[])", logger: logger)
            for try await (id, apps) in named.decode((Int32, [String]).self) { learned.add(id, apps) }
        }
        var sets: [Int32] = [], firsts: [Int64] = [], lasts: [Int64] = [], counts: [Int64] = [], errors: [Int64] = []
        for trace in traces {
            let entry = byTrace[trace]!
            var apps = entry.apps
            if let id = current[trace] {
                guard let names = known.names[id] ?? learned.names[id] else { throw FleetError("no set of apps \(id)") }
                apps.formUnion(names)
            }
            let names = apps.sorted()
            var id = known.ids[names] ?? learned.ids[names]
            if id == nil {
                for try await found in try await connection.query(
                    "SELECT tracetail_app_set(\(names)::text[])", logger: logger
                ).decode(Int32.self) {
                    id = found
                }
            }
            guard let id else { throw FleetError("no id for the set of apps \(names)") }
            learned.add(id, names)
            sets.append(id)
            firsts.append(entry.summary.first)
            lasts.append(entry.summary.last)
            counts.append(entry.summary.records)
            errors.append(entry.summary.errors)
        }
        // The host is its name's first row (a store that took the name over adds to the same
        // summaries); the set of apps is already merged with the row's.
        try await connection.query("""
            INSERT INTO tracetail_trace_summaries AS t (trace_id, host_id, app_set, records, errors, first_time, last_time)
            SELECT trace, (SELECT min(id) FROM tracetail_hosts WHERE name = \(host)), app_set,
                   least(n, 2147483647)::int, least(e, 2147483647)::int,
                   timestamptz 'epoch' + first * interval '1 millisecond',
                   timestamptz 'epoch' + last * interval '1 millisecond'
            FROM unnest(\(traces)::uuid[], \(sets)::int4[], \(firsts)::int8[], \(lasts)::int8[], \(counts)::int8[], \(errors)::int8[])
                AS s (trace, app_set, first, last, n, e)
            ORDER BY trace
            ON CONFLICT (trace_id, host_id) DO UPDATE SET
                app_set = excluded.app_set,
                first_time = least(t.first_time, excluded.first_time),
                last_time = greatest(t.last_time, excluded.last_time),
                records = least(t.records::bigint + excluded.records, 2147483647)::int,
                errors = least(t.errors::bigint + excluded.errors, 2147483647)::int
            """, logger: logger)
        return learned
    }
}

/// Sets of apps (sorted names) and their ids in `tracetail_app_sets`, both ways. Ids never
/// change and sets are never deleted, so a shipper keeps what it learned (forgotten after a
/// failure, in case the database is another one now).
struct AppSets: Sendable {
    var ids: [[String]: Int32] = [:]
    var names: [Int32: [String]] = [:]

    mutating func add(_ id: Int32, _ apps: [String]) {
        let sorted = apps.sorted()
        ids[sorted] = id
        names[id] = sorted
    }

    mutating func merge(_ other: AppSets) {
        ids.merge(other.ids) { _, new in new }
        names.merge(other.names) { _, new in new }
    }
}

/// Runs `body`, or throws when it takes longer than `millis` (the body is cancelled).
func withTimeout<T: Sendable>(_ millis: Int64, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(millis))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw RoundTimeout(millis: millis) }
        return value
    }
}

/// A shipping round that took longer than its limit.
struct RoundTimeout: Error, CustomStringConvertible {
    var millis: Int64
    var description: String { "no answer from the fleet store within \(millis / 1000) s" }
}

/// How much a shipping round takes at most: the configured blocks and bytes at first, halved after
/// a round that timed out (down to one block), doubled back after each round that got through. A
/// batch too large for the link (4 MiB in 15 s needs about 2.2 Mbit/s) or for a loaded server
/// otherwise timed out, was rolled back, and was tried again the same, for ever.
package struct ShipBatch: Sendable {
    package let maximum: (blocks: Int, bytes: Int)
    package private(set) var blocks: Int
    package private(set) var bytes: Int

    package init(blocks: Int, bytes: Int) {
        maximum = (max(1, blocks), max(1, bytes))
        self.blocks = maximum.blocks
        self.bytes = maximum.bytes
    }

    /// Returns the smaller batch.
    @discardableResult
    package mutating func timedOut() -> ShipBatch {
        blocks = max(1, blocks / 2)
        bytes = max(1, bytes / 2)
        return self
    }

    package mutating func shipped() {
        blocks = min(maximum.blocks, blocks * 2)
        bytes = min(maximum.bytes, bytes * 2)
    }
}

extension Shipper {
    static func nowMillis() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

extension TraceID {
    /// The id as a UUID's text (8-4-4-4-12 hex digits), whatever spelling it was written in.
    var uuidText: String {
        let hex = Array(canonical.filter { $0 != "-" })
        guard hex.count == 32 else { return canonical }
        let cuts = [8, 12, 16, 20]
        var text = ""
        for (index, character) in hex.enumerated() {
            if cuts.contains(index) { text.append("-") }
            text.append(character)
        }
        return text
    }
}
