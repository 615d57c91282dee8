import Foundation

/// How the chosen experts should answer, decided from the K-shot evidence.
///
/// Li et al. (2025) found that mixing different models mostly lowers proposer quality, and that
/// Self-MoA on the task's best model wins unless models of similar quality are right on different
/// items. So: when the best candidate beats the runner-up beyond the noise of K paired items
/// (exact McNemar), Self-MoA on it; when they are of similar quality and the other experts are
/// right where the best is wrong often enough to route on, MoE; otherwise Self-MoA, the cheaper.
public struct ModeDecision: Sendable, Equatable {
    /// The recommended mode.
    public var mode: EnsembleMode
    /// The expert the mode centres on (Self-MoA's model, MoE's shared expert).
    public var best: String
    /// A sentence saying why, with the numbers.
    public var reason: String
    /// The McNemar p-value of best versus runner-up, when there is a runner-up.
    public var pValue: Double?
    /// Items some other chosen expert gets right and the best gets wrong.
    public var complementaryItems: Int

    /// Decides the mode for `chosen` experts (best combined rank first) given all evaluations.
    public static func decide(
        chosen: [String], evaluations: [CandidateEvaluation], alpha: Double = SeparationTest.defaultAlpha
    ) -> ModeDecision {
        let byID = Dictionary(uniqueKeysWithValues: evaluations.map { ($0.id, $0) })
        let members = chosen.compactMap { byID[$0] }
        // The most accurate chosen expert; the rule's order breaks ties.
        guard let best = members.enumerated().max(by: { ($0.element.correctCount, -$0.offset) < ($1.element.correctCount, -$1.offset) })?.element
        else {
            return ModeDecision(mode: .selfMoA, best: chosen.first ?? "", reason: "no expert was evaluated", complementaryItems: 0)
        }
        let total = best.records.count
        if best.correctCount == 0 {
            return ModeDecision(
                mode: .selfMoA, best: best.id,
                reason: "no candidate answered any of the \(total) K-shot items correctly; Self-MoA on \(best.id), "
                    + "the best by reasoning perplexity and accuracy ranks", complementaryItems: 0)
        }
        let others = members.filter { $0.id != best.id }
        guard let runner = others.max(by: { $0.correctCount < $1.correctCount }) else {
            return ModeDecision(
                mode: .selfMoA, best: best.id,
                reason: "\(best.id) is the only expert chosen (\(best.correctCount)/\(total) correct): Self-MoA on it",
                complementaryItems: 0)
        }
        let paired = best.records.map { record in (record.correct, runner.record(record.itemID)?.correct ?? false) }
        let separation = SeparationTest.clearlyBetter(a: paired.map(\.0), b: paired.map(\.1), alpha: alpha)
        let complementary = best.records.filter { record in
            !record.correct && others.contains { $0.record(record.itemID)?.correct == true }
        }.count
        let p = formatP(separation.pValue)
        if separation.better {
            return ModeDecision(
                mode: .selfMoA, best: best.id,
                reason: "\(best.id) beats \(runner.id) beyond the noise of \(total) items (\(best.correctCount) vs "
                    + "\(runner.correctCount) correct, McNemar p=\(p)): Self-MoA on the best model, which beats mixing "
                    + "models of unequal quality", pValue: separation.pValue, complementaryItems: complementary)
        }
        let needed = max(2, Int((0.1 * Double(total)).rounded(.up)))
        if complementary >= needed {
            return ModeDecision(
                mode: .moe, best: best.id,
                reason: "the experts are of similar quality (\(best.id) \(best.correctCount) vs \(runner.id) "
                    + "\(runner.correctCount) correct, p=\(p)) and right on different items (\(complementary.counting("item")) "
                    + "another expert gets right and \(best.id) does not): MoE routing to the expert that is right on "
                    + "similar questions",
                pValue: separation.pValue, complementaryItems: complementary)
        }
        return ModeDecision(
            mode: .selfMoA, best: best.id,
            reason: "\(best.id) is not ahead of \(runner.id) beyond the noise of \(total) items (\(best.correctCount) vs "
                + "\(runner.correctCount) correct, p=\(p)), but the others are rarely right where it is wrong "
                + "(\(complementary.counting("item")), fewer than \(needed)): Self-MoA on \(best.id), the better and cheaper choice",
            pValue: separation.pValue,
            complementaryItems: complementary)
    }

    private static func formatP(_ p: Double) -> String {
        p < 0.001 ? "<0.001" : String(format: "%.3f", p)
    }
}
