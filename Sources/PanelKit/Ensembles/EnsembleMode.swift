/// How an ensemble answers.
public enum EnsembleMode: String, Sendable, CaseIterable, Codable {
    /// Many independent samples of one model, fused by an aggregator over sequential rounds.
    case selfMoA = "self-moa"
    /// The experts propose (optionally refining each other's answers over layers), then fusion.
    case moa
    /// Per-question routing to the experts that were right on similar K-shot items.
    case moe
    /// Weighted majority over extracted answers, without an aggregator call.
    case vote
}
