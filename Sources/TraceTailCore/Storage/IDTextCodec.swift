/// Takes hex ids out of record text and puts them back, byte for byte.
///
/// A UUID (8-4-4-4-12) or a run of exactly 32 or 16 hex digits, all letters in one case, standing
/// between non-word characters, becomes a token: one byte saying its spelling and a varint
/// reference to the block's table of 128-bit or 64-bit values. Bytes 0x01...0x07 in the text are
/// escaped with 0x07. So the random part of every id is stored once per block, in binary, and
/// the text that deflate sees keeps only short, repetitive references.
package enum IDTextCodec {
    package enum Token: UInt8 {
        case uuidLower = 1, uuidUpper = 2, hex32Lower = 3, hex32Upper = 4, hex16Lower = 5, hex16Upper = 6, escape = 7
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
    package static func encode(_ text: [UInt8], values: inout Values, into out: inout [UInt8]) {
        text.withUnsafeBufferPointer { b in
            let n = b.count
            var i = 0
            var copied = 0
            while i < n {
                let c = classes[Int(b[i])]
                if c == 0 || c == 4 {
                    if b[i] >= 1 && b[i] <= 7 {
                        out.append(contentsOf: b[copied..<i])
                        out.append(Token.escape.rawValue)
                        out.append(b[i])
                        copied = i + 1
                    }
                    i += 1
                    continue
                }
                // A hex run starting at a word boundary.
                if i > 0 && classes[Int(b[i - 1])] != 0 {
                    i += 1
                    continue
                }
                var token: Token?
                var high: UInt64 = 0
                var low: UInt64 = 0
                var stop = i
                if let (uuidHigh, uuidLow, upper) = uuid(b, i) {
                    token = upper ? .uuidUpper : .uuidLower
                    high = uuidHigh
                    low = uuidLow
                    stop = i + 36
                } else {
                    var j = i
                    var lower = false
                    var upper = false
                    while j < n {
                        let k = classes[Int(b[j])]
                        if k == 1 { lower = true } else if k == 2 { upper = true } else if k != 3 { break }
                        j += 1
                    }
                    let length = j - i
                    if (j == n || classes[Int(b[j])] == 0), !(lower && upper), length == 32 || length == 16 {
                        for p in i..<i + 16 { high = high << 4 | UInt64(HexID.nibble(b[p])!) }
                        if length == 32 {
                            for p in i + 16..<j { low = low << 4 | UInt64(HexID.nibble(b[p])!) }
                            token = upper ? .hex32Upper : .hex32Lower
                        } else {
                            token = upper ? .hex16Upper : .hex16Lower
                        }
                    }
                    stop = j
                }
                guard let token else {
                    i = max(stop, i + 1)
                    continue
                }
                out.append(contentsOf: b[copied..<i])
                out.append(token.rawValue)
                let reference = token.rawValue >= Token.hex16Lower.rawValue
                    ? values.narrowReference(high) : values.wideReference(high, low)
                Varint.append(UInt64(reference), to: &out)
                i = stop
                copied = stop
            }
            out.append(contentsOf: b[copied..<n])
        }
    }

    /// A UUID at `i` in one case, followed by a non-word byte or the end: its value and case.
    @inline(__always)
    private static func uuid(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt64, UInt64, Bool)? {
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
            let v = UInt64(HexID.nibble(b[p])!)
            if digits < 16 { high = high << 4 | v } else { low = low << 4 | v }
            digits += 1
        }
        return lower && upper ? nil : (high, low, upper)
    }

    private static let lowerDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Decodes one record's text.
    package static func decode(_ encoded: ArraySlice<UInt8>, wide: [(UInt64, UInt64)], narrow: [UInt64]) throws -> [UInt8] {
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
        func hex(_ value: UInt64, _ digits: [UInt8], count: Int = 16) {
            for shift in stride(from: (count - 1) * 4, through: 0, by: -4) {
                out.append(digits[Int((value >> UInt64(shift)) & 0xF)])
            }
        }
        var copied = i
        while i < end {
            let byte = encoded[i]
            guard byte >= 1 && byte <= 7 else {
                i += 1
                continue
            }
            out.append(contentsOf: encoded[copied..<i])
            i += 1
            switch Token(rawValue: byte)! {
            case .escape:
                guard i < end else { throw ByteReader.Corrupt(offset: i) }
                out.append(encoded[i])
                i += 1
            case .uuidLower, .uuidUpper:
                let index = try varint()
                guard index < wide.count else { throw ByteReader.Corrupt(offset: i) }
                let digits = byte == Token.uuidLower.rawValue ? lowerDigits : upperDigits
                let (high, low) = wide[index]
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
                let index = try varint()
                guard index < wide.count else { throw ByteReader.Corrupt(offset: i) }
                let digits = byte == Token.hex32Lower.rawValue ? lowerDigits : upperDigits
                hex(wide[index].0, digits)
                hex(wide[index].1, digits)
            case .hex16Lower, .hex16Upper:
                let index = try varint()
                guard index < narrow.count else { throw ByteReader.Corrupt(offset: i) }
                hex(narrow[index], byte == Token.hex16Lower.rawValue ? lowerDigits : upperDigits)
            }
            copied = i
        }
        out.append(contentsOf: encoded[copied..<end])
        return out
    }
}
