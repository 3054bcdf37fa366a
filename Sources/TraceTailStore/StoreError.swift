/// Errors of the SQLite store. Each names the database path and keeps the underlying cause.
package struct StoreError: Error, CustomStringConvertible {
    package enum Code: Sendable {
        case open
        /// `Access.read` on a path with no database.
        case missing
        /// Another process holds the writer lock.
        case locked
        case corruptBlock
    }

    package var code: Code
    package var path: String
    package var detail: String
    package var underlying: (any Error)?

    package init(_ code: Code, path: String, detail: String, underlying: (any Error)? = nil) {
        self.code = code
        self.path = path
        self.detail = detail
        self.underlying = underlying
    }

    package var description: String {
        var text = "store \(path): \(detail)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
