import Testing

@testable import PanelKit

@Suite struct PercentilesTests {
    @Test func interpolatesBetweenRanks() throws {
        let summary = try #require(Percentiles([4, 1, 3, 2]))
        #expect(summary.count == 4)
        #expect(summary.p50 == 2.5)
        #expect(abs(summary.p95 - 3.85) < 1e-12)  // position 0.95 · 3 = 2.85 → 3 + 0.85 · (4 − 3)
    }

    @Test func singleValueAndEmptySample() {
        #expect(Percentiles([7])?.p50 == 7)
        #expect(Percentiles([7])?.p95 == 7)
        #expect(Percentiles([7])?.count == 1)
        #expect(Percentiles([]) == nil)
        #expect(Percentiles([.nan]) == nil)
        #expect(Percentiles.quantile(0.5, of: []) == nil)
    }

    @Test func summarisesDurationsInSeconds() throws {
        let summary = try #require(Percentiles(durations: [.milliseconds(100), .milliseconds(300), .seconds(1)]))
        #expect(abs(summary.p50 - 0.3) < 1e-12)
        #expect(abs(summary.p95 - 0.93) < 1e-12)  // position 1.9 → 0.3 + 0.9 · 0.7
        #expect(Percentiles.quantile(0, of: [3, 1, 2]) == 1)
        #expect(Percentiles.quantile(1, of: [3, 1, 2]) == 3)
    }
}
