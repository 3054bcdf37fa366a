import ArgumentParser
import Foundation
import TraceTailPostgres

/// `tracetail pg init`: the fleet store's schema, created or brought up to date.
struct Pg: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manages a fleet store (PostgreSQL).",
        subcommands: [PgInit.self])
}

struct PgInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Creates the fleet store's tables, or applies the migrations it lacks (a query node does this at start too).")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        let logger = Bootstrap.logging(level: settings.logLevel)
        guard let url = settings.fleetStoreURL ?? settings.shipURL else {
            throw CLIError("name the fleet store: --store postgres://USER@HOST:PORT/DB")
        }
        let database: FleetDatabase
        do {
            database = try FleetDatabase(url: url, logger: logger, maximumConnections: 1)
        } catch {
            throw CLIError("\(error)")
        }
        defer { database.close() }
        do {
            let applied = try await FleetSchema.migrate(database)
            print(applied.isEmpty
                ? "fleet schema is up to date (version \(FleetSchema.version)) at \(FleetDatabase.redacted(url))"
                : "fleet schema version \(FleetSchema.version) at \(FleetDatabase.redacted(url)) (applied \(applied.map(String.init).joined(separator: ", ")))")
        } catch {
            throw CLIError("cannot set up the fleet store \(FleetDatabase.redacted(url)): \(error.fleetDescription)")
        }
    }
}
