import Testing

@testable import PanelKit

@Suite struct ProportionTests {
    private func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-4) -> Bool {
        abs(a - b) < tolerance
    }

    @Test func noTrialsMeansNothingIsKnown() {
        let proportion = Proportion(successes: 0, trials: 0)
        #expect(proportion.value == 0)
        #expect(proportion.wilsonInterval() == Interval(lower: 0, upper: 1))
    }

    @Test func wilsonIntervalMatchesHandComputedValues() {
        // 5/10: centre (0.5 + z²/20)/(1 + z²/10) = 0.5, half-width z·√(0.025 + z²/400)/(1 + z²/10) = 0.26344.
        let half = Proportion(successes: 5, trials: 10).wilsonInterval()
        #expect(close(half.lower, 0.236_59) && close(half.upper, 0.763_44))
        // 0/10: lower 0, upper z²/(n + z²) = 3.84146/13.84146.
        let none = Proportion(successes: 0, trials: 10).wilsonInterval()
        #expect(none.lower == 0)
        #expect(close(none.upper, 0.277_53))
        // 10/10 mirrors 0/10.
        let all = Proportion(successes: 10, trials: 10).wilsonInterval()
        #expect(all.upper == 1)
        #expect(close(all.lower, 0.722_47))
        // 81/263, a textbook example: [0.2553, 0.3662].
        let textbook = Proportion(successes: 81, trials: 263).wilsonInterval()
        #expect(close(textbook.lower, 0.2553) && close(textbook.upper, 0.3662))
    }

    @Test func countsOutcomes() {
        let proportion = Proportion(outcomes: [true, false, true, true])
        #expect(proportion.successes == 3 && proportion.trials == 4)
        #expect(proportion.value == 0.75)
    }

    @Test func intervalHelpers() {
        let interval = Interval(lower: -0.1, upper: 0.25)
        #expect(interval.contains(0))
        #expect(!interval.contains(0.3))
        #expect(abs(interval.width - 0.35) < 1e-12)
        #expect(interval.description == "[-0.100, 0.250]")
    }
}
