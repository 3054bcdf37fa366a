import TraceTailCore

/// A small JSON writer for the API's answers: exact control over field order and output, and no
/// intermediate dictionaries on the lookup path.
package struct JSONWriter {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// This writer's bytes, moved out (it is left empty): a nested writer that takes them appends
    /// in place. Copying `self` instead would share the buffer, and the nested writer's first
    /// append would copy all of it: quadratic in the answer's size (5 MB answers took minutes).
    private mutating func moved() -> JSONWriter {
        var taken = JSONWriter(capacity: 0)
        swap(&taken.bytes, &bytes)
        return taken
    }

    package mutating func object(_ body: (inout ObjectWriter) -> Void) {
        var object = ObjectWriter(out: moved())
        object.out.bytes.append(UInt8(ascii: "{"))
        body(&object)
        object.out.bytes.append(UInt8(ascii: "}"))
        self = object.out
    }

    package struct ObjectWriter {
        var out: JSONWriter
        var first = true

        /// A name is written as any string is: the API's own need no escape and are copied whole
        /// (`quoted`); column names of the application's tables may need one.
        mutating func key(_ name: String) {
            if !first { out.bytes.append(UInt8(ascii: ",")) }
            first = false
            out.string(name)
            out.bytes.append(UInt8(ascii: ":"))
        }

        package mutating func field(_ name: String, _ value: String?) {
            key(name)
            if let value { out.string(value) } else { out.null() }
        }

        /// An id in its canonical form (`JSONWriter.id`), or null.
        package mutating func field(_ name: String, id value: IDKey?) {
            key(name)
            if let value { out.id(value) } else { out.null() }
        }

        /// A time in RFC 3339 (`Timestamp.rfc3339`).
        package mutating func field(_ name: String, time millis: Int64) {
            key(name)
            out.time(millis)
        }

        package mutating func field(_ name: String, raw value: some Collection<UInt8>) {
            key(name)
            out.string(bytes: value)
        }

        package mutating func field(_ name: String, _ value: Int64?) {
            key(name)
            if let value { out.bytes.append(contentsOf: String(value).utf8) } else { out.null() }
        }

        package mutating func field(_ name: String, _ value: Int?) {
            field(name, value.map(Int64.init))
        }

        package mutating func field(_ name: String, _ value: Double) {
            key(name)
            out.bytes.append(contentsOf: (value.isFinite ? String(value) : "null").utf8)
        }

        package mutating func field(_ name: String, _ value: Bool) {
            key(name)
            out.bytes.append(contentsOf: (value ? "true" : "false").utf8)
        }

        package mutating func object(_ name: String, _ body: (inout ObjectWriter) -> Void) {
            key(name)
            out.object(body)
        }

        package mutating func array(_ name: String, _ body: (inout ArrayWriter) -> Void) {
            key(name)
            out.array(body)
        }
    }

    package struct ArrayWriter {
        var out: JSONWriter
        var first = true

        mutating func separator() {
            if !first { out.bytes.append(UInt8(ascii: ",")) }
            first = false
        }

        package mutating func object(_ body: (inout ObjectWriter) -> Void) {
            separator()
            out.object(body)
        }

        package mutating func string(_ value: String) {
            separator()
            out.string(value)
        }

        /// An id in its canonical form (`JSONWriter.id`).
        package mutating func id(_ value: IDKey) {
            separator()
            out.id(value)
        }
    }

    package mutating func array(_ body: (inout ArrayWriter) -> Void) {
        var array = ArrayWriter(out: moved())
        array.out.bytes.append(UInt8(ascii: "["))
        body(&array)
        array.out.bytes.append(UInt8(ascii: "]"))
        self = array.out
    }

    mutating func null() { bytes.append(contentsOf: "null".utf8) }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { string(bytes: $0) }
    }

    /// Writes an id as a JSON string in its canonical form (`TraceID`, `SpanID` and `BusinessID`'s
    /// `canonical`: hex, a UUID with dashes, or the opaque id's text), without a string made for
    /// it: an answer shows up to five ids a record.
    mutating func id(_ key: IDKey) {
        if key.kind.isOpaque { return string(key.text ?? "") }
        let high = key.high
        let low = key.low
        switch key.kind {
        case .span: appendQuoted(16) { HexID.write(high, into: $0) }
        case .workflow, .task: appendQuoted(36) { HexID.writeUUID(high: high, low: low, into: $0) }
        default: appendQuoted(32) { HexID.write(high: high, low: low, into: $0) }
        }
    }

    /// Writes a time as a JSON string in RFC 3339 (`Timestamp.rfc3339`), without a string made
    /// for it.
    mutating func time(_ millis: Int64) {
        appendQuoted(Timestamp.rfc3339Length) { Timestamp.writeRFC3339(millis, into: $0) }
    }

    /// Appends `count` bytes that `fill` writes in place (it returns how many it wrote, at most
    /// `count`), with no bounds or uniqueness check per byte as `append` makes.
    @inline(__always)
    private mutating func append(reserving count: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Int) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        let written = bytes.withUnsafeMutableBufferPointer { fill(UnsafeMutableBufferPointer(rebasing: $0[start...])) }
        if written < count { bytes.removeLast(count - written) }
    }

    /// `append(reserving:_:)` between quotes.
    @inline(__always)
    private mutating func appendQuoted(_ count: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Int) {
        append(reserving: count + 2) { out in
            out[0] = UInt8(ascii: "\"")
            let written = fill(UnsafeMutableBufferPointer(rebasing: out[1...]))
            out[written + 1] = UInt8(ascii: "\"")
            return written + 2
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes bytes as a JSON string. Invalid UTF-8 becomes U+FFFD; control characters are escaped.
    mutating func string(bytes value: some Collection<UInt8>) {
        let written = value.withContiguousStorageIfAvailable { quoted($0) }
        if written != true {
            var text = String(decoding: value, as: UTF8.self)
            text.withUTF8 { _ = quoted($0, valid: true) }
        }
    }

    /// Appends valid UTF-8 as a JSON string, quotes included, or returns false (and appends
    /// nothing) if it is not valid UTF-8. A first pass counts what the escapes add, a second
    /// writes the string in place: a record's raw text is most of an answer's bytes, and a pino
    /// line's quotes are escaped dozens of times a record.
    private mutating func quoted(_ buffer: UnsafeBufferPointer<UInt8>, valid: Bool = false) -> Bool {
        var added = 0
        var ascii = true
        for byte in buffer {
            if byte >= 0x80 {
                ascii = false
            } else if Self.needsEscape(byte) {
                added += Self.isShortEscape(byte) ? 1 : 5
            }
        }
        if !ascii, !valid, !Self.isValidUTF8(buffer) { return false }
        append(reserving: buffer.count + added + 2) { out in
            out[0] = UInt8(ascii: "\"")
            var j = 1
            if added == 0 {
                if let source = buffer.baseAddress { (out.baseAddress! + 1).update(from: source, count: buffer.count) }
                j += buffer.count
            } else {
                for byte in buffer {
                    guard Self.needsEscape(byte) else {
                        out[j] = byte
                        j += 1
                        continue
                    }
                    out[j] = UInt8(ascii: "\\")
                    switch byte {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"): out[j + 1] = byte
                    case UInt8(ascii: "\n"): out[j + 1] = UInt8(ascii: "n")
                    case UInt8(ascii: "\r"): out[j + 1] = UInt8(ascii: "r")
                    case UInt8(ascii: "\t"): out[j + 1] = UInt8(ascii: "t")
                    default:
                        out[j + 1] = UInt8(ascii: "u")
                        out[j + 2] = UInt8(ascii: "0")
                        out[j + 3] = UInt8(ascii: "0")
                        out[j + 4] = Self.hex[Int(byte >> 4)]
                        out[j + 5] = Self.hex[Int(byte & 0xF)]
                        j += 4
                    }
                    j += 2
                }
            }
            out[j] = UInt8(ascii: "\"")
            return j + 1
        }
        return true
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    /// Escaped in two bytes (`\"`, `\\`, `\n`, `\r`, `\t`); the other escaped bytes take six.
    @inline(__always)
    private static func isShortEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\t")
    }

    private static func isValidUTF8(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var copy = Array(buffer)
        return copy.withUnsafeMutableBufferPointer { String(validating: $0, as: UTF8.self) != nil }
    }
}
