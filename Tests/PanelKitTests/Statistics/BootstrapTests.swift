import Testing

@testable import PanelKit

@Suite struct BootstrapTests {
    @Test func splitMix64MatchesReferenceOutputs() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xe220_a839_7b1d_cdaf)
        #expect(generator.next() == 0x6e78_9e6a_a1b9_65f4)
        #expect(generator.next() == 0x06c4_5d18_8009_454f)
    }

    @Test func uniformStaysInRangeAndCoversIt() {
        var generator = SplitMix64(seed: 42)
        var seen = [Int](repeating: 0, count: 7)
        for _ in 0..<7000 {
            let value = generator.uniform(below: 7)
            seen[value] += 1
        }
        #expect(seen.allSatisfy { $0 > 800 && $0 < 1200 })
    }

    @Test func pairedDifferenceIsDeterministicAndPlausible() {
        let a = (0..<100).map { $0 % 2 == 0 }
        let b = [Bool](repeating: false, count: 100)
        let first = Bootstrap(seed: 1).pairedDifferenceInterval(a, b)
        #expect(first == Bootstrap(seed: 1).pairedDifferenceInterval(a, b))
        // The normal approximation gives 0.5 ± 1.96·0.05 = [0.402, 0.598]; the bootstrap lands within ±0.02.
        #expect(abs(first.lower - 0.402) < 0.02)
        #expect(abs(first.upper - 0.598) < 0.02)
    }

    @Test func pairedDifferenceOfIdenticalSystemsIsZero() {
        let outcomes = (0..<30).map { $0 % 3 == 0 }
        #expect(Bootstrap().pairedDifferenceInterval(outcomes, outcomes) == Interval(lower: 0, upper: 0))
        #expect(Bootstrap().pairedDifferenceInterval([], []) == Interval(lower: -1, upper: 1))
    }

    @Test func pairedDifferenceReflectsOnlyDiscordantItems() {
        let a = [Bool](repeating: true, count: 20)
        let b = [Bool](repeating: false, count: 20)
        #expect(Bootstrap().pairedDifferenceInterval(a, b) == Interval(lower: 1, upper: 1))
        // 10 items where a alone is right, 10 where both are: the difference is 0.5 and clearly above 0.
        let a2 = [Bool](repeating: true, count: 20)
        let b2 = (0..<20).map { $0 >= 10 }
        let interval = Bootstrap().pairedDifferenceInterval(a2, b2)
        #expect(interval.contains(0.5))
        #expect(interval.lower > 0)
    }
}
