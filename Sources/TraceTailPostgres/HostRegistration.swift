import Logging
import PostgresNIO

/// Which `tracetail_hosts` row a shipper writes under: the one of its (host name, store id).
///
/// A block's key in the fleet store is (day, host row, partition, block), and a local store
/// numbers its blocks from 1: two stores writing under one row would overwrite each other's
/// blocks. So a host name is held by one local store at a time, and a shipper whose store does not
/// hold its name refuses to ship (`HostIdentityConflict`) rather than guess. A deliberate
/// re-install names the store it replaces (`ship.replace_store`): that store's row is retired,
/// its blocks stay (and keep answering under the name), and the new store gets a row of its own.
struct HostRegistration {
    var name: String
    var storeID: String
    /// The store this one may take the name over from (`ship.replace_store`), if any.
    var replacing: String?
    /// Whether the local store has had blocks acknowledged: only such a store may claim a row
    /// shipped to before store ids existed (schema version 1).
    var hasShipped: Bool

    /// The host row's id, registering or taking over the name as allowed; throws
    /// `HostIdentityConflict` when the name is not this store's to use.
    func register(_ database: FleetDatabase, logger: Logger) async throws -> Int32 {
        try await HostIdentityConflict.unwrapped {
            try await database.client.withTransaction(logger: logger) { connection in
                // Two stores registering one name at the same moment: one after the other.
                try await connection.query("SELECT pg_advisory_xact_lock(743303)", logger: logger)
                if let own = try await row(connection, logger, where: "store_id = \(storeID)::uuid") {
                    if let replacedBy = own.replacedBy {
                        throw HostIdentityConflict.replaced(name: own.name, store: storeID, by: replacedBy, at: own.retiredAt)
                    }
                    guard own.name == name else {
                        throw HostIdentityConflict.renamed(name: name, store: storeID, shipsAs: own.name)
                    }
                    return own.id
                }
                guard let holder = try await row(connection, logger, where: "name = \(name) AND retired_at IS NULL") else {
                    return try await insert(connection, logger)
                }
                // A row from schema version 1 has no store id ("legacy"): its store is one that shipped.
                let holderStore = holder.storeID ?? Self.legacy
                if holder.storeID == nil, hasShipped || holder.blocks == 0, replacing == nil {
                    try await connection.query(
                        "UPDATE tracetail_hosts SET store_id = \(storeID)::uuid WHERE id = \(holder.id)", logger: logger)
                    logger.notice("the fleet store's host row from before store ids is now this store's", metadata: [
                        "host": "\(name)", "store_id": "\(storeID)",
                    ])
                    return holder.id
                }
                guard replacing?.lowercased() == holderStore else {
                    if holder.storeID == nil {
                        throw HostIdentityConflict.unidentified(name: name, store: storeID, blocks: holder.blocks)
                    }
                    throw HostIdentityConflict.taken(name: name, store: storeID, holder: holderStore, lastShipped: holder.lastShipped)
                }
                try await connection.query("""
                    UPDATE tracetail_hosts SET retired_at = now(), replaced_by = \(storeID)::uuid WHERE id = \(holder.id)
                    """, logger: logger)
                logger.notice("this store takes the host name over; the replaced store's records stay in the fleet store", metadata: [
                    "host": "\(name)", "store_id": "\(storeID)", "replaced_store_id": "\(holderStore)",
                ])
                return try await insert(connection, logger)
            }
        }
    }

    /// What `ship.replace_store` names to take over a row shipped before store ids existed.
    static let legacy = "legacy"

    private struct HostRow {
        var id: Int32
        var name: String
        var storeID: String?
        var blocks: Int64
        var lastShipped: String?
        var retiredAt: String?
        var replacedBy: String?
    }

    private func row(_ connection: PostgresConnection, _ logger: Logger, where condition: PostgresQuery) async throws -> HostRow? {
        var query = PostgresQuery(unsafeSQL: """
            SELECT id, name, store_id::text, blocks, to_char(last_shipped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   to_char(retired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), replaced_by::text
            FROM tracetail_hosts WHERE
            """)
        query.sql += " " + condition.sql
        query.binds = condition.binds
        let rows = try await connection.query(query, logger: logger)
        for try await (id, name, store, blocks, last, retired, replacedBy) in rows.decode(
            (Int32, String, String?, Int64, String?, String?, String?).self
        ) {
            return HostRow(id: id, name: name, storeID: store, blocks: blocks, lastShipped: last, retiredAt: retired, replacedBy: replacedBy)
        }
        return nil
    }

    private func insert(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int32 {
        let rows = try await connection.query("""
            INSERT INTO tracetail_hosts (name, store_id) VALUES (\(name), \(storeID)::uuid) RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int32.self) { return id }
        throw FleetError("no host id for \(name)")
    }
}

/// Why a shipper will not ship under its host name, and what to do about it. The local store
/// keeps everything (it is the queue); nothing of the fleet store was written.
package enum HostIdentityConflict: Error, CustomStringConvertible, Equatable {
    /// Another local store holds the name.
    case taken(name: String, store: String, holder: String, lastShipped: String?)
    /// This store was replaced under its name by another.
    case replaced(name: String, store: String, by: String, at: String?)
    /// This store ships under another name.
    case renamed(name: String, store: String, shipsAs: String)
    /// The name has blocks from before store ids, and this store never shipped.
    case unidentified(name: String, store: String, blocks: Int64)

    /// The body's value; a conflict thrown inside a transaction as it is (postgres-nio wraps a
    /// transaction body's error in `PostgresTransactionError`), so callers can tell it apart.
    static func unwrapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresTransactionError {
            if let conflict = error.closureError as? HostIdentityConflict { throw conflict }
            throw error
        }
    }

    package var description: String {
        switch self {
        case .taken(let name, let store, let holder, let lastShipped):
            return "shipping refused: the host name '\(name)' is held in the fleet store by another local store "
                + "(store id \(holder), last shipped \(lastShipped ?? "never")); this store is \(store). "
                + "If that is another machine, give this one its own name (--host-name, ship.host_name). "
                + "If this host was re-installed and store \(holder) is gone for good, start with "
                + "--replace-store \(holder) (ship.replace_store) to take the name over; its records stay in the fleet store"
        case .replaced(let name, let store, let by, let at):
            return "shipping refused: this store (\(store)) was replaced under the host name '\(name)' by store \(by) "
                + "at \(at ?? "?"); give this host another name (--host-name, ship.host_name) to ship its new records"
        case .renamed(let name, let store, let shipsAs):
            return "shipping refused: this store (\(store)) ships to the fleet store as '\(shipsAs)', not '\(name)'; "
                + "start with --host-name \(shipsAs), or start a new local store (store.path) for the name '\(name)'"
        case .unidentified(let name, let store, let blocks):
            return "shipping refused: the host name '\(name)' has \(blocks) block writes in the fleet store from before store ids, "
                + "and this store (\(store)) never shipped; if the store that shipped them is gone for good, start with "
                + "--replace-store legacy (ship.replace_store) to take the name over, else give this host its own name (--host-name)"
        }
    }
}
