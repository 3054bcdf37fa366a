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

        /// A name of printable ASCII with no quote or backslash (the API's own) is copied as it
        /// is; any other (column names of the application's tables) is escaped.
        mutating func key(_ name: String) {
            if !first { out.bytes.append(UInt8(ascii: ",")) }
            first = false
            var name = name
            name.withUTF8 { utf8 in
                var plain = true
                for byte in utf8 where byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    plain = false
                    break
                }
                if plain {
                    out.bytes.append(UInt8(ascii: "\""))
                    out.bytes.append(contentsOf: utf8)
                    out.bytes.append(UInt8(ascii: "\""))
                } else {
                    out.string(bytes: utf8)
                }
            }
            out.bytes.append(UInt8(ascii: ":"))
        }

        package mutating func field(_ name: String, _ value: String?) {
            key(name)
            if let value { out.string(value) } else { out.null() }
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

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes bytes as a JSON string. Invalid UTF-8 becomes U+FFFD; control characters are escaped.
    mutating func string(bytes value: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        let written = value.withContiguousStorageIfAvailable { buffer -> Bool in
            guard validUTF8(buffer) else { return false }
            escaped(buffer)
            return true
        }
        if written != true {
            var text = String(decoding: value, as: UTF8.self)
            text.withUTF8 { escaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends valid UTF-8, escaped: the runs that need no escape are copied whole (a record's
    /// raw text is most of an answer's bytes).
    private mutating func escaped(_ buffer: UnsafeBufferPointer<UInt8>) {
        var start = 0
        for index in 0..<buffer.count {
            let byte = buffer[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F else { continue }
            if start < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index])) }
            escape(byte)
            start = index + 1
        }
        if start < buffer.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...])) }
    }

    @inline(__always)
    private mutating func escape(_ byte: UInt8) {
        // Byte by byte: an array literal here was an allocation per escaped byte, and the
        // quotes of a JSON record's raw text are escaped dozens of times a record.
        bytes.append(92)
        switch byte {
        case UInt8(ascii: "\""): bytes.append(34)
        case UInt8(ascii: "\\"): bytes.append(92)
        case UInt8(ascii: "\n"): bytes.append(110)
        case UInt8(ascii: "\r"): bytes.append(114)
        case UInt8(ascii: "\t"): bytes.append(116)
        default:
            bytes.append(117)
            bytes.append(48)
            bytes.append(48)
            bytes.append(Self.hex[Int(byte >> 4)])
            bytes.append(Self.hex[Int(byte & 0xF)])
        }
    }

    private func validUTF8(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        // Fast path for ASCII; otherwise let String validate.
        for byte in buffer where byte >= 0x80 {
            var copy = Array(buffer)
            return copy.withUnsafeMutableBufferPointer { String(validating: $0, as: UTF8.self) != nil }
        }
        return true
    }
}
