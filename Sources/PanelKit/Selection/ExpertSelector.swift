import Foundation

/// `panel select-experts`: scores every candidate on the K-shot items and assembles the ensemble.
///
/// Every call goes through the session's clients, so it is recorded in the store, and deterministic
/// calls (greedy answers, reference scores, aggregator trials) are served from the cache on a
/// second run: an interrupted selection resumes where it stopped.
public struct ExpertSelector: Sendable {
    /// How the search runs.
    public var options: SelectionOptions

    /// Progress of a selection.
    public enum Event: Sendable {
        /// More work was planned: the total number of (candidate, item) steps grew by this much.
        case planned(Int)
        /// A candidate finished an item.
        case finished(candidate: String, item: String)
        /// A new phase began.
        case phase(String)
    }

    /// Creates a selector.
    public init(options: SelectionOptions = SelectionOptions()) {
        self.options = options
    }

    /// Runs the selection for `task` on `kshot`, reporting progress through `onEvent`.
    public func select(
        session: PoolSession, kshot: TaskFile, types: TaskTypeResolution, task: String,
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) async throws -> SelectionResult {
        let clients = session.clients
        let items = kshot.items
        let runner = KShotRunner(items: items, types: types, defaultMaxTokens: options.defaultMaxTokens)
        var notes: [String] = []

        // 1. Accuracy and reasoning perplexity.
        var records: [String: [KShotRecord]] = [:]
        var dropped: [String: Int] = [:]
        var requests = 0
        let scoring = Dictionary(uniqueKeysWithValues: clients.map { ($0.id, $0.probe.capabilities.scoring != .none) })
        func requestCount(_ client: ModelClient, _ count: Int) -> Int { count * (scoring[client.id] == true ? 2 : 1) }

        func evaluate(_ group: [ModelClient], on subset: [TaskItem]) async throws {
            onEvent(.planned(group.count * subset.count))
            let results = try await withThrowingTaskGroup(of: (String, [KShotRecord]).self) { tasks in
                for client in group {
                    tasks.addTask {
                        let done = try await runner.run(client, on: subset, score: true) { record in
                            onEvent(.finished(candidate: client.id, item: record.itemID))
                        }
                        return (client.id, done)
                    }
                }
                var collected: [(String, [KShotRecord])] = []
                for try await result in tasks { collected.append(result) }
                return collected
            }
            for (id, done) in results { records[id, default: []] += done }
            requests += group.map { requestCount($0, subset.count) }.reduce(0, +)
        }

        var survivors = clients
        let experts = options.experts ?? SelectionRule.defaults(candidates: clients.count).experts
        switch options.strategy {
        case .exhaustive:
            onEvent(.phase("scoring \(clients.count) candidates on \(items.count) K-shot items"))
            try await evaluate(clients, on: items)
        case .halving:
            var seen = 0
            var next = max(2, (items.count + 3) / 4)
            let target = max(experts, 1)
            while survivors.count > target, next < items.count {
                onEvent(.phase("successive halving: \(survivors.count) candidates on items \(seen + 1)–\(next)"))
                try await evaluate(survivors, on: Array(items[seen..<next]))
                let partial = survivors.map { evaluation(of: $0, records: records[$0.id] ?? []) }
                let ranked = SelectionRule(experts: 1, shortlist: partial.count).choose(partial) { _, _ in 0 }.rankings
                let keep = max(target, (survivors.count + 1) / 2)
                let kept = Set(ranked.prefix(keep).map(\.id))
                for client in survivors where !kept.contains(client.id) { dropped[client.id] = next }
                survivors = survivors.filter { kept.contains($0.id) }
                seen = next
                next = min(items.count, next * 2)
            }
            onEvent(.phase("successive halving: \(survivors.count) candidates on the remaining \(items.count - seen) items"))
            try await evaluate(survivors, on: Array(items[seen...]))
        }
        let exhaustiveRequests = clients.map { requestCount($0, items.count) }.reduce(0, +)
        let evaluations = clients.map { evaluation(of: $0, records: records[$0.id] ?? []) }
        let finalists = evaluations.filter { dropped[$0.id] == nil }
        for evaluation in evaluations where !evaluation.canScore {
            notes.append("\(evaluation.id): its backend cannot score continuations, so it has no perplexity rank (its accuracy rank stands in)")
        }
        for evaluation in evaluations where evaluation.scoringIsApproximate {
            notes.append("\(evaluation.id): reasoning perplexity is approximated from top-20 logprobs")
        }
        if let answerOnly = evaluations.first(where: { $0.answerOnlyItems > 0 }) {
            notes.append("\(answerOnly.answerOnlyItems) K-shot items have no rationale and were scored on the answer alone")
        }

        // 2. Diversity.
        onEvent(.phase("measuring diversity"))
        let vectors = try await outputVectors(finalists, session: session)
        let parameters = parameterSimilarities(survivors.map(\.candidate), notes: &notes)
        let diversity = DiversityMatrix.compute(finalists, outputVectors: vectors, parameterSimilarity: parameters)

        // 3. The rule and the mode.
        let defaults = SelectionRule.defaults(candidates: finalists.count)
        let rule = SelectionRule(
            experts: min(experts, finalists.count), shortlist: max(options.shortlist ?? defaults.shortlist, experts))
        let outcome = rule.choose(finalists, distance: diversity.distance)
        let decision = ModeDecision.decide(chosen: outcome.chosen, evaluations: finalists)

        // 4. The aggregator, by measured aggregation ability.
        onEvent(.phase("trying aggregators"))
        let trials = try await tryAggregators(
            outcome: outcome, evaluations: finalists, session: session, items: items, types: types)
        let aggregator = trials.first?.id ?? decision.best

        let spec = try await buildSpec(
            task: task, kshot: kshot, types: types, session: session, evaluations: evaluations, outcome: outcome,
            decision: decision, aggregator: aggregator)
        return SelectionResult(
            evaluations: evaluations, droppedByHalving: dropped, leftOut: session.unusable, outcome: outcome,
            diversity: diversity, decision: decision, aggregatorTrials: trials, aggregator: aggregator, spec: spec,
            requestsUsed: requests, requestsExhaustive: exhaustiveRequests, usage: session.ledger.total, notes: notes)
    }

    private func evaluation(of client: ModelClient, records: [KShotRecord]) -> CandidateEvaluation {
        CandidateEvaluation(
            id: client.id, records: records, canScore: client.probe.capabilities.scoring != .none,
            tokenizerKey: Self.tokenizerKey(client))
    }

    /// Candidates served from the same weights share a tokenizer (LoRA experts of one base).
    static func tokenizerKey(_ client: ModelClient) -> String {
        let identity = client.probe.modelIdentity.isEmpty ? client.candidate.model : client.probe.modelIdentity
        return identity.components(separatedBy: "+lora:").first ?? identity
    }

    private func outputVectors(_ evaluations: [CandidateEvaluation], session: PoolSession) async throws
        -> [String: [String: [Float]]]
    {
        let pairs = evaluations.flatMap { evaluation in evaluation.records.map { (evaluation.id, $0.itemID, $0.output) } }
        let texts = pairs.map(\.2)
        var vectors: [[Float]]
        if let embedder = session.embeddingsClient() {
            vectors = try await embedder.embed(texts)
        } else {
            vectors = TextVectorizer().fitted(to: texts).vectors(for: texts)
        }
        var result: [String: [String: [Float]]] = [:]
        for (index, (id, item, _)) in pairs.enumerated() { result[id, default: [:]][item] = vectors[index] }
        return result
    }

    private func parameterSimilarities(_ candidates: [Candidate], notes: inout [String]) -> [String: [String: Double]] {
        let local = candidates.filter { $0.adapter?.path != nil }
        guard local.count >= 2 else { return [:] }
        var adapters: [(String, LoRAAdapter)] = []
        for candidate in local {
            guard let path = candidate.adapter?.path else { continue }
            do {
                adapters.append((candidate.id, try LoRAAdapter(path: path)))
            } catch {
                notes.append("\(candidate.id): cannot read its adapter for parameter diversity: \(error)")
            }
        }
        guard adapters.count >= 2, let matrix = try? LoRADiversity().similarityMatrix(adapters.map(\.1)) else { return [:] }
        var result: [String: [String: Double]] = [:]
        for i in adapters.indices {
            for j in adapters.indices where j != i { result[adapters[i].0, default: [:]][adapters[j].0] = matrix[i][j] }
        }
        return result
    }

    private func tryAggregators(
        outcome: SelectionRule.Outcome, evaluations: [CandidateEvaluation], session: PoolSession, items: [TaskItem],
        types: TaskTypeResolution
    ) async throws -> [AggregatorTrial] {
        let byID = Dictionary(uniqueKeysWithValues: evaluations.map { ($0.id, $0) })
        let proposers = outcome.shortlist.compactMap { byID[$0] }
        // Only chat-capable candidates can follow the aggregation instructions.
        let contenders = outcome.shortlist.compactMap(session.client).filter {
            $0.candidate.promptStyle == .chat && $0.probe.capabilities.chat
        }.prefix(3)
        guard contenders.count > 1, options.aggregatorTrials > 0 else {
            return contenders.map { AggregatorTrial(id: $0.id, correct: 0, trials: 0) }
        }
        // The most informative items: a right proposal is there to be found, and the proposals disagree,
        // so the aggregator has to judge rather than copy.
        func solvable(_ item: TaskItem) -> Int { proposers.contains { $0.record(item.id)?.correct == true } ? 1 : 0 }
        func disagreement(_ item: TaskItem) -> Int {
            Set(proposers.compactMap { $0.record(item.id)?.extracted }).count
        }
        let trialItems = items.enumerated().sorted {
            (solvable($0.element), disagreement($0.element), -$0.offset)
                > (solvable($1.element), disagreement($1.element), -$1.offset)
        }.prefix(options.aggregatorTrials).map(\.element)

        let maxTokens = options.defaultMaxTokens
        var trials: [AggregatorTrial] = []
        for client in contenders {
            let correct = try await withThrowingTaskGroup(of: Bool.self) { group in
                for item in trialItems {
                    group.addTask {
                        let type = types.type(of: item)
                        let proposals = proposers.compactMap { evaluation -> Proposal? in
                            guard let record = evaluation.record(item.id), record.error == nil else { return nil }
                            return Proposal(expert: evaluation.id, text: record.output, extracted: record.extracted)
                        }
                        let prompt = AggregationPrompt(question: PromptBuilder.plainQuestion(item), type: type)
                        let request = GenerationRequest(
                            prompt: .chat(prompt.messages(carried: nil, proposals: proposals)),
                            sampling: .greedy(maxTokens: client.candidate.sampling.maxTokens ?? maxTokens))
                        guard let fused = try? await client.generate(request) else { return false }
                        let extractor = types.extractor(for: item)
                        return extractor.isCorrect(extractor.extract(from: fused.text, for: item), gold: item)
                    }
                }
                var count = 0
                for try await ok in group where ok { count += 1 }
                return count
            }
            trials.append(AggregatorTrial(id: client.id, correct: correct, trials: trialItems.count))
        }
        let rank = Dictionary(uniqueKeysWithValues: outcome.rankings.enumerated().map { ($1.id, $0) })
        return trials.sorted { ($0.correct, -(rank[$0.id] ?? 0)) > ($1.correct, -(rank[$1.id] ?? 0)) }
    }

    private func buildSpec(
        task: String, kshot: TaskFile, types: TaskTypeResolution, session: PoolSession,
        evaluations: [CandidateEvaluation], outcome: SelectionRule.Outcome, decision: ModeDecision, aggregator: String
    ) async throws -> EnsembleSpec {
        let byID = Dictionary(uniqueKeysWithValues: evaluations.map { ($0.id, $0) })
        var experts = outcome.chosen.map { id -> EnsembleSpec.Expert in
            var roles: [EnsembleSpec.Role] = [.proposer]
            if id == decision.best { roles.append(.shared) }
            if id == aggregator { roles.append(.aggregator) }
            return EnsembleSpec.Expert(id: id, roles: roles, accuracy: byID[id]?.accuracy ?? 0)
        }
        if !outcome.chosen.contains(aggregator) {
            experts.append(EnsembleSpec.Expert(id: aggregator, roles: [.aggregator], accuracy: byID[aggregator]?.accuracy ?? 0))
        }
        // The best expert first: it is Self-MoA's model and MoE's shared expert.
        experts.sort { ($0.id == decision.best ? 0 : 1) < ($1.id == decision.best ? 0 : 1) }

        let questions = kshot.items.map { PromptBuilder.plainQuestion($0) }
        let routerVectors: RouterData.Vectors
        let vectors: [[Float]]
        if let endpoint = session.pool.embeddings, let embedder = session.embeddingsClient() {
            routerVectors = .embeddings(endpoint)
            vectors = try await embedder.embed(questions).map(VectorMath.l2Normalize)
        } else {
            let vectorizer = TextVectorizer().fitted(to: questions)
            routerVectors = .tfidf(vectorizer)
            vectors = vectorizer.vectors(for: questions)
        }
        let routerItems = kshot.items.enumerated().map { index, item in
            RouterData.Item(
                id: item.id, type: types.type(of: item), snippet: String(item.question.prefix(80)), vector: vectors[index],
                correct: Dictionary(uniqueKeysWithValues: evaluations.compactMap { evaluation in
                    evaluation.record(item.id).map { (evaluation.id, $0.correct) }
                }))
        }
        var settings = EnsembleSpec.Settings()
        settings.maxTokens = options.defaultMaxTokens
        return EnsembleSpec(
            task: task, taskType: types.fileType, mode: decision.mode, reason: decision.reason, experts: experts,
            aggregator: aggregator, settings: settings, poolPath: session.pool.path,
            poolFingerprint: session.pool.fingerprint, kshotPath: kshot.path,
            kshotFingerprint: SHA256.hexDigest(kshot.data), demonstrations: Array(kshot.items.prefix(8)),
            router: RouterData(vectors: routerVectors, items: routerItems))
    }
}
