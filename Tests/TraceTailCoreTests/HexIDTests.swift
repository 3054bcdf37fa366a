import Testing
@testable import TraceTailCore

/// HexID was made allocation-free for the parser's sake; these pin its behaviour.
@Suite("hex ids")
struct HexIDTests {
    @Test("known values")
    func known() {
        #expect(HexID.uuidString(high: 0x7131_ef99_fa7f_4afe, low: 0x98c4_10a6_5672_cfc2) == "7131ef99-fa7f-4afe-98c4-10a65672cfc2")
        #expect(HexID.format(0x00f0_67aa_0ba9_02b7) == "00f067aa0ba902b7")
        #expect(HexID.bytes(0x0102_0304_0506_0708) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(HexID.parse128(Array("7131EF99-FA7F-4AFE-98C4-10A65672CFC2".utf8)[...]).map { [$0.0, $0.1] } == [0x7131_ef99_fa7f_4afe, 0x98c4_10a6_5672_cfc2])
        #expect(BusinessID(.workflow, "7131EF99FA7F4AFE98C410A65672CFC2")?.canonical == IDs.workflow)
    }

    @Test("malformed values", arguments: [
        "7131ef99fa7f-4afe-98c4-10a65672cfc2-", "7131ef99-fa7f-4afe-98c4_10a65672cfc2", "7131ef99-fa7f-4afe-98c4-10a65672cfcg",
        "7131ef99fa7f4afe98c410a65672cfc", "-7131ef99fa7f4afe98c410a65672cfc2-1234", "",
    ])
    func malformed(_ text: String) {
        #expect(HexID.parse128(Array(text.utf8)[...]) == nil)
    }

    @Test("round trips through both spellings")
    func roundTrip() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let high = rng.next()
            let low = rng.next()
            let uuid = HexID.uuidString(high: high, low: low)
            let plain = HexID.format(high) + HexID.format(low)
            #expect(uuid.utf8.count == 36)
            #expect(HexID.parse128(Array(uuid.utf8)[...]).map { [$0.0, $0.1] } == [high, low])
            #expect(HexID.parse128(Array(plain.uppercased().utf8)[...]).map { [$0.0, $0.1] } == [high, low])
            #expect(HexID.integer(HexID.bytes(high)[...]) == high)
        }
    }
}
