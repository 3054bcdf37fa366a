#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Takes hex ids out of record text and puts them back, byte for byte.
///
/// A UUID (8-4-4-4-12) or a run of exactly 32 or 16 hex digits, all letters in one case, standing
/// between non-word characters, becomes a token: one byte saying its spelling and a varint
/// reference to the block's table of 128-bit or 64-bit values. Bytes 0x01...0x07 in the text are
/// escaped with 0x07. An id equal to one of the record's own ids (its trace, span, parent span,
/// workflow or task), and the record's time written as epoch milliseconds, become a two-byte
/// `field` token instead, which needs no reference at all. So the random part of every id is
/// stored once per block, in binary, and the text that deflate sees is nearly the same from one
/// record to the next.
package enum IDTextCodec {
    package enum Token: UInt8 {
        case uuidLower = 1, uuidUpper = 2, hex32Lower = 3, hex32Upper = 4, hex16Lower = 5, hex16Upper = 6, escape = 7
        /// Followed by one byte: field (0 trace, 1 span, 2 parent span, 3 workflow, 4 task, 5 time) * 8 + spelling.
        case field = 8
    }

    /// The record's own ids and time, which its text refers to without a reference.
    /// No array: this is made for every record encoded or decoded.
    package struct Fields {
        let trace: IDKey?
        let span: IDKey?
        let parentSpan: IDKey?
        let workflow: IDKey?
        let task: IDKey?
        package let time: Int64

        package init(_ record: IndexedRecord) {
            trace = record.trace
            span = record.span
            parentSpan = record.parentSpan
            workflow = record.workflow
            task = record.task
            time = record.time
        }

        @inline(__always)
        func id(_ field: Int) -> IDKey? {
            switch field {
            case 0: trace
            case 1: span
            case 2: parentSpan
            case 3: workflow
            case 4: task
            default: nil
            }
        }

        /// The first field holding this binary value.
        @inline(__always)
        func field(wide high: UInt64, _ low: UInt64) -> Int? {
            for i in 0..<5 {
                if let id = id(i), id.text == nil, id.kind.width == 16, id.high == high, id.low == low { return i }
            }
            return nil
        }

        @inline(__always)
        func field(narrow value: UInt64) -> Int? {
            for i in 0..<5 {
                if let id = id(i), id.text == nil, id.kind.width == 8, id.high == value { return i }
            }
            return nil
        }
    }

    /// Writes the decimal digits of `value` into `buffer` (20 bytes); returns how many.
    @inline(__always)
    static func decimal(_ value: Int64, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard value > 0 else {
            buffer[0] = value == 0 ? UInt8(ascii: "0") : UInt8(ascii: "-")
            return value == 0 ? 1 : 0
        }
        var v = value
        var n = 0
        while v > 0 {
            buffer[n] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            n += 1
        }
        buffer[0..<n].reverse()
        return n
    }

    /// Values referenced by the text of one block, in order of first use.
    package struct Values {
        package var wide: [(UInt64, UInt64)] = []
        package var narrow: [UInt64] = []
        var wideIndex: [Wide: Int] = [:]
        var narrowIndex: [UInt64: Int] = [:]

        struct Wide: Hashable {
            var high: UInt64
            var low: UInt64
        }

        package init() {}

        package mutating func wideReference(_ high: UInt64, _ low: UInt64) -> Int {
            let key = Wide(high: high, low: low)
            if let index = wideIndex[key] { return index }
            wideIndex[key] = wide.count
            wide.append((high, low))
            return wide.count - 1
        }

        package mutating func narrowReference(_ value: UInt64) -> Int {
            if let index = narrowIndex[value] { return index }
            narrowIndex[value] = narrow.count
            narrow.append(value)
            return narrow.count - 1
        }
    }

    /// Byte classes: 1 lower hex letter, 2 upper hex letter, 3 digit, 4 other word byte, 0 other.
    private static let classes: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(b)] = 3 }
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(b)] = b <= UInt8(ascii: "f") ? 1 : 4 }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(b)] = b <= UInt8(ascii: "F") ? 2 : 4 }
        table[Int(UInt8(ascii: "_"))] = 4
        for b in 0x80...0xFF { table[b] = 4 }
        return table
    }()

    /// Appends the encoded form of `text` to `out`.
    package static func encode(_ text: [UInt8], fields: Fields, values: inout Values, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { timeBuffer in
        let timeCount = decimal(fields.time, into: timeBuffer)
        let time = UnsafeBufferPointer(rebasing: timeBuffer[0..<max(timeCount, 1)])
        classes.withUnsafeBufferPointer { classes in
        text.withUnsafeBufferPointer { b in
            let n = b.count
            var i = 0
            var copied = 0
            while i < n {
                let c = classes[Int(b[i])]
                if c == 0 {
                    if b[i] >= 1 && b[i] <= 8 {
                        out.append(contentsOf: b[copied..<i])
                        out.append(Token.escape.rawValue)
                        out.append(b[i])
                        copied = i + 1
                    }
                    i += 1
                    continue
                }
                // An id starts at a word boundary: a word that begins with a byte no id begins
                // with, or the rest of a word, holds none (and no byte to escape, which are not
                // word bytes). Skipped whole: most of a record's text is such words.
                if c == 4 || (i > 0 && classes[Int(b[i - 1])] != 0) {
                    i += 1
                    while i < n && classes[Int(b[i])] != 0 { i += 1 }
                    continue
                }
                // The record's time as epoch milliseconds.
                if c == 3, timeCount > 0, b[i] == time[0], i + time.count <= n, i + time.count == n || classes[Int(b[i + time.count])] == 0,
                   memcmp(b.baseAddress! + i, time.baseAddress!, time.count) == 0
                {
                    out.append(contentsOf: b[copied..<i])
                    out.append(Token.field.rawValue)
                    out.append(5 << 3)
                    i += time.count
                    copied = i
                    continue
                }
                var token: Token?
                var high: UInt64 = 0
                var low: UInt64 = 0
                var stop = i
                if let (uuidHigh, uuidLow, upper) = uuid(b, i, classes) {
                    token = upper ? .uuidUpper : .uuidLower
                    high = uuidHigh
                    low = uuidLow
                    stop = i + 36
                } else {
                    // The run of hex digits and its value, in one pass: the first 16 digits
                    // go to `high`, the next 16 to `low` (a longer run is no id).
                    var j = i
                    var lower = false
                    var upper = false
                    var runHigh: UInt64 = 0
                    var runLow: UInt64 = 0
                    while j < n {
                        let byte = b[j]
                        let k = classes[Int(byte)]
                        if k == 1 { lower = true } else if k == 2 { upper = true } else if k != 3 { break }
                        let digit = j - i
                        if digit < 16 { runHigh = runHigh << 4 | nibble(byte, k) } else { runLow = runLow << 4 | nibble(byte, k) }
                        j += 1
                    }
                    let length = j - i
                    if (j == n || classes[Int(b[j])] == 0), !(lower && upper), length == 32 || length == 16 {
                        high = runHigh
                        low = runLow
                        token = length == 32 ? (upper ? .hex32Upper : .hex32Lower) : (upper ? .hex16Upper : .hex16Lower)
                    }
                    stop = j
                }
                guard let token else {
                    i = max(stop, i + 1)
                    continue
                }
                out.append(contentsOf: b[copied..<i])
                let narrow = token.rawValue >= Token.hex16Lower.rawValue
                if let field = narrow ? fields.field(narrow: high) : fields.field(wide: high, low) {
                    out.append(Token.field.rawValue)
                    out.append(UInt8(field << 3) | (token.rawValue - 1))
                } else {
                    out.append(token.rawValue)
                    Varint.append(UInt64(narrow ? values.narrowReference(high) : values.wideReference(high, low)), to: &out)
                }
                i = stop
                copied = stop
            }
            out.append(contentsOf: b[copied..<n])
        }
        }
        }
    }

    /// A UUID at `i` in one case, followed by a non-word byte or the end: its value and case.
    @inline(__always)
    private static func uuid(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ classes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, Bool)? {
        guard i + 36 <= b.count, b[i + 8] == 45, b[i + 13] == 45, b[i + 18] == 45, b[i + 23] == 45 else { return nil }
        if i + 36 < b.count, classes[Int(b[i + 36])] != 0 { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var lower = false
        var upper = false
        var digits = 0
        for p in i..<i + 36 where p != i + 8 && p != i + 13 && p != i + 18 && p != i + 23 {
            let k = classes[Int(b[p])]
            if k == 1 { lower = true } else if k == 2 { upper = true } else if k != 3 { return nil }
            let v = nibble(b[p], k)
            if digits < 16 { high = high << 4 | v } else { low = low << 4 | v }
            digits += 1
        }
        return lower && upper ? nil : (high, low, upper)
    }

    /// The value of a hex digit of class `k` (1 lower letter, 2 upper letter, 3 digit).
    @inline(__always)
    private static func nibble(_ byte: UInt8, _ k: UInt8) -> UInt64 {
        UInt64(byte &- (k == 3 ? UInt8(ascii: "0") : k == 1 ? UInt8(ascii: "a") - 10 : UInt8(ascii: "A") - 10)) & 0xF
    }

    private static let lowerDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Decodes one record's text.
    package static func decode(
        _ encoded: ArraySlice<UInt8>, fields: Fields, wide: [(UInt64, UInt64)], narrow: [UInt64]
    ) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count + 64)
        var i = encoded.startIndex
        let end = encoded.endIndex
        func varint() throws -> Int {
            var result = 0
            var shift = 0
            while true {
                guard i < end, shift < 63 else { throw ByteReader.Corrupt(offset: i) }
                let byte = encoded[i]
                i += 1
                result |= Int(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
        }
        func wideValue() throws -> (UInt64, UInt64) {
            let index = try varint()
            guard index < wide.count else { throw ByteReader.Corrupt(offset: i) }
            return wide[index]
        }
        func hex(_ value: UInt64, _ digits: [UInt8], count: Int = 16) {
            for shift in stride(from: (count - 1) * 4, through: 0, by: -4) {
                out.append(digits[Int((value >> UInt64(shift)) & 0xF)])
            }
        }
        var copied = i
        while i < end {
            let byte = encoded[i]
            guard byte >= 1 && byte <= 8 else {
                i += 1
                continue
            }
            out.append(contentsOf: encoded[copied..<i])
            i += 1
            var token = Token(rawValue: byte)!
            var value: (UInt64, UInt64)?
            if token == .field {
                guard i < end else { throw ByteReader.Corrupt(offset: i) }
                let spec = encoded[i]
                i += 1
                let field = Int(spec >> 3)
                if field == 5 {
                    out.append(contentsOf: String(fields.time).utf8)
                    copied = i
                    continue
                }
                guard field < 5, let id = fields.id(field), id.text == nil,
                      let spelling = Token(rawValue: (spec & 7) + 1), spelling.rawValue <= Token.hex16Upper.rawValue
                else { throw ByteReader.Corrupt(offset: i) }
                token = spelling
                value = (id.high, id.low)
            }
            switch token {
            case .escape:
                guard i < end else { throw ByteReader.Corrupt(offset: i) }
                out.append(encoded[i])
                i += 1
            case .field:
                throw ByteReader.Corrupt(offset: i)
            case .uuidLower, .uuidUpper:
                let digits = token == .uuidLower ? lowerDigits : upperDigits
                let (high, low) = try value ?? wideValue()
                hex(high >> 32, digits, count: 8)
                out.append(45)
                hex(high >> 16 & 0xFFFF, digits, count: 4)
                out.append(45)
                hex(high & 0xFFFF, digits, count: 4)
                out.append(45)
                hex(low >> 48, digits, count: 4)
                out.append(45)
                hex(low & 0xFFFF_FFFF_FFFF, digits, count: 12)
            case .hex32Lower, .hex32Upper:
                let (high, low) = try value ?? wideValue()
                let digits = token == .hex32Lower ? lowerDigits : upperDigits
                hex(high, digits)
                hex(low, digits)
            case .hex16Lower, .hex16Upper:
                let number: UInt64
                if let value { number = value.0 } else {
                    let index = try varint()
                    guard index < narrow.count else { throw ByteReader.Corrupt(offset: i) }
                    number = narrow[index]
                }
                hex(number, token == .hex16Lower ? lowerDigits : upperDigits)
            }
            copied = i
        }
        out.append(contentsOf: encoded[copied..<end])
        return out
    }
}
