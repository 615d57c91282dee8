/// Which proposals each fusion round sees (Self-MoA-Seq).
///
/// Round 1 fuses the first `window` proposals; each later round fuses the synthesis carried from the
/// round before plus the next `window` proposals, so the aggregator's context stays bounded however
/// many proposals there are. Rounds continue until every proposal is used or `maxRounds` is reached.
public struct FusionSchedule: Sendable, Equatable {
    /// Proposal indices per round, in order.
    public var rounds: [[Int]]
    /// Proposals no round reached (when `maxRounds` ran out first).
    public var unused: [Int]

    /// Plans the rounds for `count` proposals.
    public init(proposals count: Int, window: Int, maxRounds: Int) {
        let window = max(1, window)
        var rounds: [[Int]] = []
        var next = 0
        while next < count, rounds.count < max(1, maxRounds) {
            let end = min(count, next + window)
            rounds.append(Array(next..<end))
            next = end
        }
        self.rounds = rounds
        self.unused = Array(next..<max(next, count))
    }
}
