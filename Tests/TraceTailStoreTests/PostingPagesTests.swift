import Foundation
import Testing
@testable import TraceTailStore

/// The pages of packed trace index runs: what goes in comes out, a key is never cut across two
/// pages (a lookup reads one page per run), and ids sort as the keys do.
@Suite("Posting pages")
struct PostingPagesTests {
    static func sorted(_ pairs: [(key: Int32, block: Int64)]) -> [(key: Int32, block: Int64)] {
        pairs.sorted { $0.key != $1.key ? $0.key < $1.key : $0.block < $1.block }
    }

    @Test("Random pairs, edge keys and repeated pairs come back in order, each once, and each key from one page")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        var input: [(key: Int32, block: Int64)] = [(Int32.min, 1), (Int32.max, Int64(Int32.max) * 4), (0, 7), (-1, 7), (1, 7)]
        // Some keys with many blocks (a trace in many blocks), the rest one or two.
        for _ in 0..<20_000 {
            let key = Int32.random(in: Int32.min...Int32.max, using: &generator)
            for _ in 0..<Int.random(in: 1...(Bool.random() ? 2 : 40), using: &generator) {
                input.append((key, Int64.random(in: 1...5_000_000, using: &generator)))
            }
        }
        input += input.prefix(500)  // given twice
        let ordered = Self.sorted(input)
        var writer = PostingPages.Writer()
        for pair in ordered { writer.add(key: pair.key, block: pair.block) }
        let pages = writer.finish()
        var expected: [(key: Int32, block: Int64)] = []
        for pair in ordered where expected.last.map({ $0.key != pair.key || $0.block != pair.block }) ?? true {
            expected.append(pair)
        }
        #expect(writer.pairs == expected.count)
        #expect(pages.count > 100)

        var decoded: [(key: Int32, block: Int64)] = []
        var pageOfKey: [Int32: Int] = [:]
        for (index, page) in pages.enumerated() {
            let pairs = try PostingPages.pairs(Data(page.data))
            #expect(pairs.last?.key == page.lastKey)
            // Cut only between keys, near the target size.
            #expect(page.data.count < PostingPages.targetBytes + 40 * 12 || Set(pairs.map(\.key)).count == 1)
            for pair in pairs {
                #expect(pageOfKey[pair.key, default: index] == index, "key \(pair.key) in two pages")
                pageOfKey[pair.key] = index
            }
            decoded += pairs
        }
        #expect(decoded.count == expected.count)
        #expect(zip(decoded, expected).allSatisfy { $0.key == $1.key && $0.block == $1.block })

        // A lookup reads the first page whose last key is at least its key: it finds all of them.
        let ids = pages.map { PostingPages.rowID(run: 3, lastKey: $0.lastKey) }
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
        #expect(ids.allSatisfy { PostingPages.rowIDs(run: 3).contains($0) })
        let byKey = Dictionary(grouping: expected, by: \.key).mapValues { $0.map(\.block) }
        for probe in expected.indices.filter({ $0 % 97 == 0 }) {
            let key = expected[probe].key
            let id = PostingPages.rowID(run: 3, lastKey: key)
            let page = try #require(ids.firstIndex { $0 >= id })
            let blocks = try PostingPages.blocks(Data(pages[page].data), key: key)
            #expect(blocks == byKey[key])
        }
    }

    @Test("A page written whole holds every pair however large; a corrupt page throws")
    func uncutAndCorrupt() throws {
        var writer = PostingPages.Writer(cutting: false)
        for key in Int32(0)..<2_000 { writer.add(key: key, block: Int64(key) * 3 + 1) }
        let pages = writer.finish()
        #expect(pages.count == 1)
        #expect(try PostingPages.pairs(Data(pages[0].data)).count == 2_000)
        // Truncated inside a varint, and a key step past 32 bits.
        #expect(throws: (any Error).self) { try PostingPages.pairs(Data([0x80])) }
        #expect(throws: (any Error).self) { try PostingPages.pairs(Data([0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x01])) }
    }
}
