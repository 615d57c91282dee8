/// Asks candidates the K-shot items and scores the gold references under them.
public struct KShotRunner: Sendable {
    /// Every K-shot item (completion-style prompts draw their demonstrations from them, leave-one-out).
    public var items: [TaskItem]
    /// Each item's answer type.
    public var types: TaskTypeResolution
    /// Generation budget when the pool sets none.
    public var defaultMaxTokens: Int

    /// Creates a runner.
    public init(items: [TaskItem], types: TaskTypeResolution, defaultMaxTokens: Int = 384) {
        self.items = items
        self.types = types
        self.defaultMaxTokens = defaultMaxTokens
    }

    /// Runs `client` on `subset` (greedy generation, and reference scoring when `score` and the backend
    /// can score), all items concurrently; the server's slots pace the calls. `onItem` is called as
    /// each item finishes. Failed calls become records with an error: counted, never dropped.
    public func run(
        _ client: ModelClient, on subset: [TaskItem], score: Bool, onItem: @escaping @Sendable (KShotRecord) -> Void
    ) async throws -> [KShotRecord] {
        let builder = PromptBuilder(for: client.candidate)
        let scoring = score && client.probe.capabilities.scoring != .none
        let sampling = Sampling.greedy(
            maxTokens: client.candidate.sampling.maxTokens ?? defaultMaxTokens, stop: builder.stopSequences)
        return try await withThrowingTaskGroup(of: (Int, KShotRecord).self) { group in
            for (index, item) in subset.enumerated() {
                group.addTask {
                    let prompt = builder.prompt(for: item, types: types, demonstrations: items)
                    let record = try await run(client, item, prompt: prompt, sampling: sampling, scoring: scoring, builder: builder)
                    onItem(record)
                    return (index, record)
                }
            }
            var records = [KShotRecord?](repeating: nil, count: subset.count)
            for try await (index, record) in group { records[index] = record }
            return records.compactMap { $0 }
        }
    }

    private func run(
        _ client: ModelClient, _ item: TaskItem, prompt: Prompt, sampling: Sampling, scoring: Bool,
        builder: PromptBuilder
    ) async throws -> KShotRecord {
        let extractor = types.extractor(for: item)
        var record: KShotRecord
        do {
            let generation = try await client.generate(GenerationRequest(prompt: prompt, sampling: sampling))
            let extracted = extractor.extract(from: generation.text, for: item)
            record = KShotRecord(
                itemID: item.id, output: generation.text, extracted: extracted,
                correct: extractor.isCorrect(extracted, gold: item), tokensIn: generation.tokensIn,
                tokensOut: generation.tokensOut, latencyMs: generation.latencyMs)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            record = KShotRecord(itemID: item.id, output: "", extracted: .unparsable, correct: false, error: "\(error)")
        }
        if scoring {
            let reference = builder.scoringContinuation(for: item, type: types.type(of: item))
            record.referenceHasRationale = reference.hasRationale
            do {
                record.reference = try await client.score(reference.text, after: prompt)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                record.error = record.error ?? "scoring failed: \(error)"
            }
        }
        return record
    }
}
