import Testing

@testable import PanelKit

/// Self-MoA-Seq's windows and rounds.
@Suite struct FusionScheduleTests {
    @Test func sixProposalsInWindowsOfThreeTakeTwoRounds() {
        let schedule = FusionSchedule(proposals: 6, window: 3, maxRounds: 4)
        #expect(schedule.rounds == [[0, 1, 2], [3, 4, 5]])
        #expect(schedule.unused == [])
    }

    @Test func aShortLastWindowIsItsOwnRound() {
        let schedule = FusionSchedule(proposals: 7, window: 3, maxRounds: 4)
        #expect(schedule.rounds == [[0, 1, 2], [3, 4, 5], [6]])
        #expect(schedule.unused == [])
    }

    @Test func theRoundLimitLeavesTheRestUnused() {
        let schedule = FusionSchedule(proposals: 10, window: 3, maxRounds: 2)
        #expect(schedule.rounds == [[0, 1, 2], [3, 4, 5]])
        #expect(schedule.unused == [6, 7, 8, 9])
    }

    @Test(arguments: [3, 4, 100])
    func aWindowAsLargeAsTheProposalsIsOneRound(window: Int) {
        let schedule = FusionSchedule(proposals: 3, window: window, maxRounds: 4)
        #expect(schedule.rounds == [[0, 1, 2]])
        #expect(schedule.unused == [])
    }

    @Test func noProposalsNoRounds() {
        let schedule = FusionSchedule(proposals: 0, window: 3, maxRounds: 4)
        #expect(schedule.rounds == [])
        #expect(schedule.unused == [])
    }

    @Test func degenerateWindowAndRoundLimitsAreClampedToOne() {
        let schedule = FusionSchedule(proposals: 3, window: 0, maxRounds: 0)
        #expect(schedule.rounds == [[0]])
        #expect(schedule.unused == [1, 2])
    }

    @Test(arguments: 0...12)
    func everyProposalIsScheduledOnceOrUnused(count: Int) {
        let schedule = FusionSchedule(proposals: count, window: 3, maxRounds: 3)
        #expect(schedule.rounds.flatMap { $0 } + schedule.unused == Array(0..<count))
        #expect(schedule.rounds.allSatisfy { !$0.isEmpty && $0.count <= 3 })
        #expect(schedule.rounds.count <= 3)
    }
}
