import Foundation
import Logging
import Testing
import TraceTailCore
import TraceTailPostgres
import TraceTailStore

/// A host name is held in the fleet store by one local store (its random store id): a second
/// store under the name refuses to ship and touches nothing; the same store after a restart ships
/// on; a deliberate re-install takes the name over; a fleet store of schema version 1 upgrades.
/// On the tests' real PostgreSQL and real SQLite stores.
@Suite("Fleet host identity", .serialized)
struct FleetHostIdentityTests {
    typealias Setup = FleetShippingTests.Setup

    /// Every block row of the fleet store and its data, in one digest, with the host rows.
    static func fingerprint(_ setup: Setup) async throws -> String {
        try await setup.sql("""
            SELECT md5(coalesce(string_agg(concat_ws(':', day, host_id, part, block, file_id, records, md5(data)), ','
                                           ORDER BY day, host_id, part, block), ''))
                || '/' || (SELECT string_agg(concat_ws(':', id, name, store_id, blocks, records), ',' ORDER BY id) FROM tracetail_hosts)
                || '/' || (SELECT count(*) FROM tracetail_postings) || '/' || (SELECT sum(records) FROM tracetail_traces)
            FROM tracetail_blocks
            """)
    }

    @Test("a second store under a host name refuses to ship, says why and what to do, and touches nothing")
    func secondStoreRefused() async throws {
        let first = try await Setup.make(host: "api-1")
        defer { first.close() }
        let now = WallClockForTests.now
        try await first.append(0..<300, storedAt: now)
        try await first.shipAll()
        let before = try await Self.fingerprint(first)
        let holder = try await first.local.storeID()

        let second = try await Setup.make(host: "api-1", cluster: first.cluster, database: first.database, prepare: false)
        defer { second.close() }
        let store = try await second.local.storeID()
        #expect(store != holder)
        // Its blocks have the first store's block ids: written, they would replace the first's.
        try await second.append(0..<200, storedAt: now)
        do {
            try await second.shipper.prepare()
            Issue.record("a second store registered under a name held by another")
        } catch HostIdentityConflict.taken(let name, let refused, let holding, let lastShipped) {
            #expect(name == "api-1" && refused == store && holding == holder && lastShipped != nil)
        }
        // The shipper's loop: refused, with the way out in words, and the local store goes on.
        let running = Task { await second.shipper.run() }
        defer { running.cancel() }
        var status = second.shipper.status
        for _ in 0..<800 where status.refused == nil {
            try await Task.sleep(for: .milliseconds(50))
            status = second.shipper.status
        }
        let refusal = try #require(status.refused)
        #expect(refusal.contains("'api-1' is held in the fleet store by another local store (store id \(holder)"))
        #expect(refusal.contains("--replace-store \(holder)"))
        #expect(refusal.contains("--host-name"))
        #expect(status.lastError == refusal)
        #expect(status.shippedRecords == 0)
        try await second.append(200..<250, storedAt: now)
        #expect(try await second.local.shippingBacklog().records == 250)
        #expect(try await second.local.records(RecordQuery(key: FleetShippingTests.trace(24).key)).records.count == 10)

        #expect(try await Self.fingerprint(first) == before)
        #expect(try await first.central.statistics().records == 300)
        #expect(try await first.sql("SELECT count(*) FROM tracetail_hosts") == "1")
    }

    @Test("the same store after a restart ships on under its name")
    func restartShipsOn() async throws {
        let first = try await Setup.make(host: "api-1")
        let now = WallClockForTests.now
        try await first.append(0..<300, storedAt: now)
        try await first.shipAll()
        let store = try await first.local.storeID()
        first.close(keepStore: true)

        let again = try await Setup.make(host: "api-1", cluster: first.cluster, database: first.database, localPath: first.localPath)
        defer { again.close() }
        #expect(try await again.local.storeID() == store)
        try await again.append(300..<500, storedAt: now)
        try await again.shipAll()
        #expect(try await again.central.statistics().records == 500)
        #expect(try await again.sql("SELECT count(*), sum(records) FROM tracetail_hosts") == "1|500")
        #expect(try await again.sql("SELECT store_id FROM tracetail_hosts") == store)
        #expect(try await again.local.shippingBacklog().records == 0)
    }

    @Test("a re-install takes the name over with ship.replace_store: both stores' records answer, the old store is refused")
    func replaceStore() async throws {
        let old = try await Setup.make(host: "api-1")
        defer { old.close() }
        let now = WallClockForTests.now
        try await old.append(0..<300, storedAt: now)
        try await old.shipAll()
        let oldID = try await old.local.storeID()

        let new = try await Setup.make(
            host: "api-1", cluster: old.cluster, database: old.database, replaceStore: oldID.uppercased())
        defer { new.close() }
        let newID = try await new.local.storeID()
        try await new.append(0..<200, storedAt: now)
        try await new.shipAll()
        #expect(try await new.central.statistics().records == 500)
        let page = try await new.central.records(RecordQuery(key: FleetShippingTests.trace(3).key))
        #expect(page.records.count == 20)
        #expect(page.records.allSatisfy { $0.file.host == "api-1" })
        #expect(try await new.sql("""
            SELECT string_agg(concat_ws(':', store_id, retired_at IS NOT NULL, replaced_by, records), ',' ORDER BY id) FROM tracetail_hosts
            """) == "\(oldID):t:\(newID):300,\(newID):f:200")

        let hosts = try await new.central.hosts()
        #expect(hosts.map(\.name) == ["api-1"] && hosts.first?.records == 500)

        // The old store, still running somewhere: refused from its next batch on.
        try await old.append(300..<320, storedAt: now)
        await #expect(throws: HostIdentityConflict.self) { try await old.shipper.shipOnce() }
        #expect(try await new.central.statistics().records == 500)
        // Started again, it is refused at registration, with what happened.
        let restarted = Shipper(source: old.local, database: old.fleet, options: Shipper.Options(hostName: "api-1"), logger: Logger(label: "test"))
        do {
            try await restarted.prepare()
            Issue.record("the replaced store registered")
        } catch let conflict as HostIdentityConflict {
            #expect(conflict.description.contains("was replaced under the host name 'api-1' by store \(newID)"))
        }
    }

    @Test("a fleet store of schema version 1 upgrades: a new store under a name with blocks is refused, 'legacy' takes it over")
    func upgradeFromVersion1() async throws {
        let cluster = try await PostgresCluster.shared()
        let database = try await offThread { try cluster.createDatabase(prefix: "fleet") }
        let v1 = try FleetDatabase(url: cluster.url(database: database), logger: Logger(label: "test"))
        defer { v1.close() }
        #expect(try await FleetSchema.migrate(v1, to: 1) == [1])
        _ = try await offThread {
            try cluster.psql("INSERT INTO tracetail_hosts (name, blocks, records) VALUES ('api-1', 5, 50), ('api-2', 0, 0)", database: database)
        }

        // Setup.make applies the later versions.
        let fresh = try await Setup.make(host: "api-1", cluster: cluster, database: database, prepare: false)
        defer { fresh.close() }
        #expect(try await FleetSchema.installedVersion(fresh.fleet) == FleetSchema.version)
        do {
            try await fresh.shipper.prepare()
            Issue.record("a new store took a name with blocks from before store ids")
        } catch let conflict as HostIdentityConflict {
            #expect(conflict.description.contains("--replace-store legacy"))
        }
        // A name that never shipped a block is claimed as it is.
        let other = try await Setup.make(host: "api-2", cluster: cluster, database: database)
        defer { other.close() }
        let otherID = try await other.local.storeID()
        #expect(try await other.sql("SELECT store_id FROM tracetail_hosts WHERE name = 'api-2'") == otherID)

        let reinstalled = try await Setup.make(
            host: "api-1", cluster: cluster, database: database, replaceStore: "legacy")
        defer { reinstalled.close() }
        try await reinstalled.append(0..<100, storedAt: WallClockForTests.now)
        try await reinstalled.shipAll()
        let id = try await reinstalled.local.storeID()
        #expect(try await reinstalled.sql("""
            SELECT string_agg(concat_ws(':', coalesce(store_id::text, '-'), retired_at IS NOT NULL, records), ',' ORDER BY id)
            FROM tracetail_hosts WHERE name = 'api-1'
            """) == "-:t:50,\(id):f:100")
    }
}
