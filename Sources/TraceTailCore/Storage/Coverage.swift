/// Which records `coverage` counts: those whose time falls in the window, of these apps.
package struct CoverageQuery: Sendable, Equatable {
    package var since: Int64?
    package var until: Int64?
    package var apps: Set<String>?

    package init(since: Int64? = nil, until: Int64? = nil, apps: Set<String>? = nil) {
        self.since = since
        self.until = until
        self.apps = apps
    }
}

/// Trace context per app and stream: where it was lost shows as records that name a workflow or
/// task but no trace.
package struct Coverage: Sendable, Equatable {
    package struct Row: Sendable, Equatable {
        package var app: String
        package var stream: LogStream
        package var records: Int64 = 0
        /// Records with a trace id.
        package var traced: Int64 = 0
        /// Records with a workflow or task id but no trace id: context lost on the way.
        package var untracedWithBusinessID: Int64 = 0

        package init(app: String, stream: LogStream) {
            self.app = app
            self.stream = stream
        }

        /// The share of records with a trace id (1 when there are none).
        package var share: Double { records == 0 ? 1 : Double(traced) / Double(records) }
    }

    /// Per app and stream, by app then stream.
    package var rows: [Row]
    /// Blocks that could not be decoded: their records are not counted.
    package var unreadableBlocks: Int

    package init(rows: [Row], unreadableBlocks: Int = 0) {
        self.rows = rows
        self.unreadableBlocks = unreadableBlocks
    }

    /// Counts one record.
    package static func count(_ record: IndexedRecord, into row: inout Row) {
        row.records += 1
        if record.trace != nil {
            row.traced += 1
        } else if record.workflow != nil || record.task != nil {
            row.untracedWithBusinessID += 1
        }
    }

    /// Adds up a window's blocks, whichever store reads them: each store lists the blocks whose
    /// time range meets the window and hands over their records (or that one could not be read).
    package struct Tally: Sendable {
        private let query: CoverageQuery
        private var rows: [String: Row] = [:]
        private var unreadable = 0

        package init(_ query: CoverageQuery) {
            self.query = query
        }

        /// Whether a block of this app is counted at all (the `app` filter).
        package func wants(app: String) -> Bool {
            query.apps.map { $0.contains(app) } ?? true
        }

        /// The records of one block of a file of `app` and `stream`, those in the window counted.
        package mutating func add(_ records: [IndexedRecord], app: String, stream: LogStream) {
            let key = app + "\u{0}" + stream.rawValue
            var row = rows[key] ?? Row(app: app, stream: stream)
            for record in records {
                if let since = query.since, record.time < since { continue }
                if let until = query.until, record.time > until { continue }
                Coverage.count(record, into: &row)
            }
            if row.records > 0 { rows[key] = row }
        }

        /// A block that could not be decoded: the answer says it is partial.
        package mutating func addUnreadable() {
            unreadable += 1
        }

        package var coverage: Coverage {
            Coverage(rows: rows.values.sorted { ($0.app, $0.stream.rawValue) < ($1.app, $1.stream.rawValue) }, unreadableBlocks: unreadable)
        }
    }
}
