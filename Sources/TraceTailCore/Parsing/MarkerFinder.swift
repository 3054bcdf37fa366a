/// The bracketed marker at the start of a message: `🔍 [WORKFLOW-TRACE] Task created` gives
/// `WORKFLOW-TRACE`. Leading emoji (with variation selectors) and spaces are skipped; the word is 2 to
/// 48 characters of upper-case letters, digits, `-` and `_`, with at least one letter.
package enum MarkerFinder {
    package static func marker(in message: String) -> String? {
        var utf8 = message.utf8.makeIterator()
        var word = [UInt8]()
        var state = 0  // 0 before `[`, 1 inside
        var hasLetter = false
        while let c = utf8.next() {
            if state == 0 {
                if c >= 0x80 || c == 0x20 || c == 0x09 { continue }
                guard c == UInt8(ascii: "[") else { return nil }
                state = 1
            } else {
                if c == UInt8(ascii: "]") {
                    guard word.count >= 2, hasLetter else { return nil }
                    return String(decoding: word, as: UTF8.self)
                }
                guard ByteClass.isUpper(c) || ByteClass.isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_"), word.count < 48 else {
                    return nil
                }
                if ByteClass.isUpper(c) { hasLetter = true }
                word.append(c)
            }
        }
        return nil
    }
}
