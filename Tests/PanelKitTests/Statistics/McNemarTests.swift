import Testing

@testable import PanelKit

@Suite struct McNemarTests {
    @Test func noDiscordantItemsGiveOne() {
        #expect(McNemar.exactPValue(b: 0, c: 0) == 1)
    }

    @Test func smallCountsMatchExactBinomialTails() {
        #expect(McNemar.exactPValue(b: 5, c: 0) == 0.0625)  // 2 · 2⁻⁵
        #expect(McNemar.exactPValue(b: 0, c: 4) == 0.125)
        #expect(abs(McNemar.exactPValue(b: 10, c: 2) - 79.0 / 2048.0) < 1e-12)  // 2 · (1 + 12 + 66) / 2¹²
        #expect(abs(McNemar.exactPValue(b: 30, c: 12) - 0.007_915_897_334_896_727) < 1e-12)
        #expect(McNemar.exactPValue(b: 3, c: 3) == 1)
        #expect(McNemar.exactPValue(b: 4, c: 5) == 1)
    }

    @Test func largeCountsStayAccurate() {
        // Exact value from rational arithmetic: 2.1817026407914712e-05.
        let p = McNemar.exactPValue(b: 1200, c: 1000)
        #expect(abs(p / 2.181_702_640_791_471_2e-5 - 1) < 1e-9)
        #expect(McNemar.exactPValue(b: 5000, c: 5000) == 1)
        let tiny = McNemar.exactPValue(b: 1000, c: 0)  // 2 · 2⁻¹⁰⁰⁰, representable
        #expect(tiny > 0 && abs(tiny / 1.866_527_237_006_437_6e-301 - 1) < 1e-9)
    }

    @Test func exactAndLogSpacePathsAgreeAtTheirBoundary() {
        // n = 60 uses the integer sum, n = 61 the log-space sum; both against rational arithmetic.
        #expect(abs(McNemar.exactPValue(b: 35, c: 25) / 0.245_060_833_022_945_7 - 1) < 1e-12)
        #expect(abs(McNemar.exactPValue(b: 40, c: 21) / 0.020_414_713_799_634_897 - 1) < 1e-11)
        #expect(McNemar.exactPValue(b: 21, c: 40) == McNemar.exactPValue(b: 40, c: 21))
    }

    @Test func countsDiscordantPairs() {
        let result = McNemar.test([true, true, false, false, true], [false, true, true, false, false])
        #expect(result.firstOnly == 2)
        #expect(result.secondOnly == 1)
        #expect(result.pValue == 1)
    }

    @Test func separationRequiresEnoughDiscordantWins() {
        let base = [Bool](repeating: false, count: 10)
        let fiveWins = (0..<10).map { $0 < 5 }
        let fourWins = (0..<10).map { $0 < 4 }
        let five = SeparationTest.clearlyBetter(a: fiveWins, b: base, alpha: 0.1)
        #expect(five.better && five.pValue == 0.0625)
        let four = SeparationTest.clearlyBetter(a: fourWins, b: base, alpha: 0.1)
        #expect(!four.better && four.pValue == 0.125)
        let reversed = SeparationTest.clearlyBetter(a: base, b: fiveWins, alpha: 0.1)
        #expect(!reversed.better && reversed.pValue == 0.0625)
        #expect(!SeparationTest.clearlyBetter(a: base, b: base).better)
    }
}
