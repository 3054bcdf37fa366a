import GRDB
import TraceTailCore

/// A row of the `files` table: one log file's identity, position and counters, as GRDB reads and
/// writes it (columns in snake case). `FileState` is what the rest of the program sees; this type
/// only maps it to the table, with the unsigned hashes and device numbers stored bit for bit in
/// SQLite's signed integers.
struct FileRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "files"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: Int64?
    var path: String
    var app: String
    var stream: String
    var instance: Int?
    var device: Int64
    var inode: Int64
    var headLength: Int
    var headHash: Int64
    var offset: Int64
    var tailHash: Int64
    var status: String
    var bytesRead: Int64
    var records: Int64
    var truncations: Int64
    var rotations: Int64
    var bytesSkipped: Int64
    var linesTruncated: Int64

    /// A new file gets its id from the table.
    init(_ file: FileState, new: Bool = false) {
        id = new ? nil : file.id
        path = file.path
        app = file.app
        stream = file.stream.rawValue
        instance = file.instance
        device = Int64(bitPattern: file.device)
        inode = Int64(bitPattern: file.inode)
        headLength = file.headLength
        headHash = Int64(bitPattern: file.headHash)
        offset = file.offset
        tailHash = Int64(bitPattern: file.tailHash)
        status = file.status.rawValue
        bytesRead = file.counters.bytesRead
        records = file.counters.records
        truncations = file.counters.truncations
        rotations = file.counters.rotations
        bytesSkipped = file.counters.bytesSkipped
        linesTruncated = file.counters.linesTruncated
    }

    /// The columns every fetch of a file row selects, in the order `init(row:)` reads them.
    static let columns = [
        "id", "path", "app", "stream", "instance", "device", "inode", "head_length", "head_hash", "offset", "tail_hash",
        "status", "bytes_read", "records", "truncations", "rotations", "bytes_skipped", "lines_truncated",
    ]
    static var databaseSelection: [any SQLSelectable] { columns.map { Column($0) } }
    /// `SELECT` of `columns`, for statements written by hand.
    static let selectSQL = "SELECT \(columns.joined(separator: ", ")) FROM files"

    /// Read by position, not through `Decodable` or by name: a lookup reads the rows of the files
    /// its blocks belong to; GRDB's `Decodable` path (a keyed container per row) was 7 % of a
    /// trace lookup's CPU, and reading by name lowercased each name at each read. Every fetch
    /// selects `columns` (`databaseSelection` for GRDB's requests, `selectSQL` by hand).
    init(row: Row) {
        id = row[0]
        path = row[1]
        app = row[2]
        stream = row[3]
        instance = row[4]
        device = row[5]
        inode = row[6]
        headLength = row[7]
        headHash = row[8]
        offset = row[9]
        tailHash = row[10]
        status = row[11]
        bytesRead = row[12]
        records = row[13]
        truncations = row[14]
        rotations = row[15]
        bytesSkipped = row[16]
        linesTruncated = row[17]
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The file as the program sees it; an unknown stream or status (a newer version's) reads as
    /// stdout and live.
    func state(host: String) -> FileState {
        var counters = FileCounters()
        counters.bytesRead = bytesRead
        counters.records = records
        counters.truncations = truncations
        counters.rotations = rotations
        counters.bytesSkipped = bytesSkipped
        counters.linesTruncated = linesTruncated
        var file = FileState(
            id: id ?? 0, path: path, app: app, stream: LogStream(rawValue: stream) ?? .out, instance: instance,
            device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), headLength: headLength,
            headHash: UInt64(bitPattern: headHash), offset: offset, tailHash: UInt64(bitPattern: tailHash),
            status: FileState.Status(rawValue: status) ?? .live, counters: counters)
        file.host = host
        return file
    }
}
