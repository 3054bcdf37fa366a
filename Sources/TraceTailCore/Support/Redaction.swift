/// Connection texts with their passwords masked, for messages, logs and `tracetail config`.
package enum Redaction {
    /// `text` with every password in it replaced by `***`: the one in a URL's user part (up to
    /// the last `@` before the query: a password may hold an unescaped `@`, `:` or `/`), and the
    /// value of every `password=` parameter, in any case (a URL's query, a `key=value` connection
    /// string). Whatever the text is: a setting that is not a URL is echoed in errors too.
    package static func masked(_ text: String) -> String {
        var out = Substring(text)
        if let scheme = out.firstRange(of: "://") {
            let queryStart = out[scheme.upperBound...].firstIndex(of: "?") ?? out.endIndex
            if let at = out[scheme.upperBound..<queryStart].lastIndex(of: "@"),
               let colon = out[scheme.upperBound..<at].firstIndex(of: ":")
            {
                out = out[..<colon] + ":***" + out[at...]
            }
        }
        let bytes = Array(out.utf8)
        let key = Array("password=".utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            // ASCII letters compared without case (`|` 0x20 leaves `=` as it is).
            if i + key.count <= bytes.count, (0..<key.count).allSatisfy({ bytes[i + $0] | 0x20 == key[$0] }) {
                result += bytes[i..<i + key.count]
                result += Array("***".utf8)
                i += key.count
                while i < bytes.count, ![UInt8(ascii: "&"), UInt8(ascii: " "), UInt8(ascii: ";")].contains(bytes[i]) { i += 1 }
            } else {
                result.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
