/// Fuses proposals with an aggregator over sequential rounds (Self-MoA-Seq).
struct SequentialFusion: Sendable {
    let aggregator: ModelClient
    let prompt: AggregationPrompt
    let schedule: FusionSchedule
    let sampling: Sampling
    let extract: @Sendable (String) -> ExtractedAnswer

    /// Runs the rounds; only the last round's text is streamed to `onText`, since earlier syntheses
    /// are intermediate.
    func fuse(
        _ proposals: [Proposal], onText: @escaping @Sendable (String) -> Void, onTrace: @Sendable (String) -> Void
    ) async throws -> [FusionRound] {
        var rounds: [FusionRound] = []
        var carried: String?
        for (number, window) in schedule.rounds.enumerated() {
            let isLast = number == schedule.rounds.count - 1
            let messages = prompt.messages(carried: carried, proposals: window.map { proposals[$0] })
            let sink = isLast ? onText : nil
            let generation = try await aggregator.generate(
                GenerationRequest(prompt: .chat(messages), sampling: sampling), onText: sink)
            let round = FusionRound(
                index: number + 1, carried: carried != nil, window: window, output: generation.text,
                extracted: extract(generation.text))
            onTrace(
                "round \(round.index): \(aggregator.id) fused " + (carried != nil ? "the carried synthesis + " : "")
                    + "proposals \(window.map { "#\($0 + 1)" }.joined(separator: ", ")) → \(round.extracted.text ?? "unparsable")")
            rounds.append(round)
            carried = generation.text
        }
        return rounds
    }
}
