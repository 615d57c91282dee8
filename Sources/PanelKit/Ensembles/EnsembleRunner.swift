import Foundation

/// Answers questions with an assembled ensemble, in any mode.
///
/// Every sample is an independent, stateless request with its own seed. Proposals run concurrently;
/// the servers' slots pace them. Seeds derive from `seed`, so a repeated question reproduces its
/// samples (and is served from the store's cache).
public struct EnsembleRunner: Sendable {
    /// The ensemble.
    public var spec: EnsembleSpec
    /// Mode settings (the spec's, with command-line overrides applied).
    public var settings: EnsembleSpec.Settings
    /// The base seed of samples.
    public var seed: Int
    /// MoA refinement layers between proposing and fusion.
    public var layers: Int
    private let clients: [String: ModelClient]
    private let embedder: ModelClient?

    /// Why an ensemble cannot answer.
    public enum RunnerError: Error, CustomStringConvertible, Equatable {
        case missingExpert(String)
        case noAnswer(String)

        public var description: String {
            switch self {
            case .missingExpert(let id):
                "expert '\(id)' of the ensemble is not usable in the pool (is its server up? run 'panel pool check')"
            case .noAnswer(let reason): "no expert produced an answer: \(reason)"
            }
        }

        /// `what` failed, with the first of `failures`: usually the only reason (a server that is down).
        static func noAnswer(_ what: String, failures: [any Error]) -> RunnerError {
            let reasons = failures.map { "\($0)" }
            guard let first = reasons.first else { return .noAnswer(what) }
            let others = Set(reasons).subtracting([first]).count
            return .noAnswer("\(what): \(first)" + (others > 0 ? " (and \(others.counting("other error")); --trace shows them)" : ""))
        }
    }

    /// Creates a runner over a pool session whose clients serve the spec's experts.
    public init(spec: EnsembleSpec, session: PoolSession, settings: EnsembleSpec.Settings? = nil, seed: Int = 1000, layers: Int = 1) throws {
        self.spec = spec
        self.settings = settings ?? spec.settings
        self.seed = seed
        self.layers = max(1, layers)
        var clients: [String: ModelClient] = [:]
        for expert in spec.experts {
            guard let client = session.client(expert.id) else { throw RunnerError.missingExpert(expert.id) }
            clients[expert.id] = client
        }
        self.clients = clients
        if case .embeddings(let endpoint) = spec.router.vectors {
            embedder = PoolSession.embeddingsClient(for: endpoint, store: session.store, ledger: session.ledger)
        } else {
            embedder = nil
        }
    }

    /// The best expert: Self-MoA's model.
    public var best: String { spec.experts(with: .shared).first?.id ?? spec.experts[0].id }

    private var accuracy: [String: Double] { Dictionary(uniqueKeysWithValues: spec.experts.map { ($0.id, $0.accuracy) }) }

    /// Answers `item` (its `answer` is ignored) in `mode`; the final answer's text streams to `onText`
    /// when it comes from an aggregator, and `onTrace` receives a line per step.
    public func answer(
        _ item: TaskItem, mode: EnsembleMode, run: String? = nil,
        onText: @escaping @Sendable (String) -> Void = { _ in }, onTrace: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> EnsembleAnswer {
        let ledger = UsageLedger()
        let clients = self.clients.mapValues { $0.with(ledger: ledger, run: run) }
        var routing: KNNRouter.Decision?
        if mode == .moe || spec.taskType == nil {
            routing = try await route(item, embedder: embedder?.with(ledger: ledger, run: run))
        }
        let type = item.choices?.isEmpty == false ? .multipleChoice : (spec.taskType ?? routing?.type ?? TaskType.infer(from: item))
        let types = TaskTypeResolution(uniform: type)
        let extractor = AnswerExtractor(type: type)
        var answer = EnsembleAnswer(
            mode: mode, text: "", extracted: .unparsable, type: type, proposals: [], collapsed: [], rounds: [],
            routing: mode == .moe ? routing : nil, experts: [], samplesRequested: 0, samplesUsed: 0, usage: [:])
        let context = Context(item: item, types: types, extractor: extractor, clients: clients, onTrace: onTrace)

        switch mode {
        case .selfMoA:
            let requested = settings.samples
            let (proposals, stoppedEarly, failures) = try await sample(best, count: requested, context, earlyStop: settings.earlyStop)
            guard !proposals.isEmpty else { throw RunnerError.noAnswer("every sample of \(best) failed", failures: failures) }
            answer.failures = failures.map { "\($0)" }
            answer.proposals = proposals
            answer.samplesRequested = requested
            answer.samplesUsed = proposals.count
            // Only an agreement stops early: failed samples also leave fewer proposals than requested.
            if stoppedEarly, let first = proposals.first {
                answer.text = first.text
                answer.extracted = first.extracted
                onTrace("early stop: the first \(proposals.count) samples agree on \(first.extracted.text ?? "?"); \(requested - proposals.count) samples saved")
            } else {
                try await fuse(proposals, into: &answer, context, onText: onText)
            }
        case .moa:
            let (first, failures) = try await proposeAll(
                spec.experts(with: .proposer).map(\.id), temperature: settings.temperature, context)
            var proposals = first
            guard !first.isEmpty else { throw RunnerError.noAnswer("every expert failed", failures: failures) }
            answer.failures = failures.map { "\($0)" }
            for layer in 1..<layers {
                proposals = try await refine(proposals, layer: layer, context)
            }
            answer.proposals = proposals
            try await fuse(proposals, into: &answer, context, onText: onText)
        case .moe:
            try await mixtureOfExperts(routing, into: &answer, context, onText: onText)
        case .vote:
            let proposers = spec.experts(with: .proposer).map(\.id)
            let each = max(1, Int((Double(settings.samples) / Double(max(proposers.count, 1))).rounded(.up)))
            // An expert whose samples all fail leaves the vote to the others.
            var proposals: [Proposal] = []
            var failures: [any Error] = []
            for expert in proposers {
                let samples = try await sample(expert, count: each, context, earlyStop: 0)
                proposals += samples.proposals
                failures += samples.failures
            }
            guard !proposals.isEmpty else { throw RunnerError.noAnswer("every sample failed", failures: failures) }
            answer.failures = failures.map { "\($0)" }
            answer.proposals = proposals
            answer.samplesRequested = each * proposers.count
            answer.samplesUsed = proposals.count
            let vote = WeightedVote(proposals, weight: weight)
            answer.vote = vote
            answer.extracted = vote.winner
            answer.text = vote.representative.map { proposals[$0].text } ?? proposals.first?.text ?? ""
            onTrace("vote: " + vote.tally.map { "\($0.answer) ×\($0.votes) (weight \(String(format: "%.2f", $0.weight)))" }.joined(separator: ", "))
        }
        answer.usage = ledger.byCandidate
        return answer
    }

    /// A single candidate's greedy answer, the baseline evaluations compare against.
    public func baseline(_ item: TaskItem, candidate: ModelClient, type: TaskType, run: String?) async throws
        -> (text: String, extracted: ExtractedAnswer, usage: UsageLedger.Usage)
    {
        let ledger = UsageLedger()
        let client = candidate.with(ledger: ledger, run: run)
        let builder = PromptBuilder(for: client.candidate)
        let prompt = builder.prompt(for: item, types: TaskTypeResolution(uniform: type), demonstrations: spec.demonstrations)
        let generation = try await client.generate(GenerationRequest(
            prompt: prompt,
            sampling: .greedy(maxTokens: client.candidate.sampling.maxTokens ?? settings.maxTokens, stop: builder.stopSequences)))
        return (generation.text, AnswerExtractor(type: type).extract(from: generation.text, for: item), ledger.total)
    }

    // MARK: Pieces

    private struct Context: Sendable {
        let item: TaskItem
        let types: TaskTypeResolution
        let extractor: AnswerExtractor
        let clients: [String: ModelClient]
        let onTrace: @Sendable (String) -> Void
    }

    private func weight(_ expert: String) -> Double { (accuracy[expert] ?? 0) + 0.05 }

    private func route(_ item: TaskItem, embedder: ModelClient?) async throws -> KNNRouter.Decision {
        let question = PromptBuilder.plainQuestion(item)
        let vector: [Float]
        switch spec.router.vectors {
        case .tfidf(let vectorizer): vector = vectorizer.vector(for: question)
        case .embeddings:
            guard let embedder else { throw RunnerError.noAnswer("no embeddings endpoint for routing") }
            vector = VectorMath.l2Normalize(try await embedder.embed([question])[0])
        }
        let router = KNNRouter(data: spec.router)
        let experts = spec.experts(with: .proposer).map(\.id)
        // Items of another answer type say little about who answers this question well (in a mixed K-shot
        // file, who picks letters right is no guide to who solves arithmetic): a question with choices is
        // routed by the multiple-choice items, one without by the others, then by the items of its type.
        let hasChoices = item.choices?.isEmpty == false
        let kinds = Set(spec.router.items.map(\.type).filter { ($0 == .multipleChoice) == hasChoices })
        let decision = router.route(vector, experts: experts, types: kinds)
        guard kinds.count > 1, let type = decision.type else { return decision }
        return router.route(vector, experts: experts, types: [type])
    }

    /// Generates one proposal. A failure is returned, with a trace line, rather than thrown: one failing
    /// sample does not sink the answer, and an answer nobody produced can say why.
    private func propose(_ expert: String, seed requested: Int?, temperature: Double, _ context: Context) async throws
        -> Result<Proposal, any Error>
    {
        guard let client = context.clients[expert] else { throw RunnerError.missingExpert(expert) }
        let seed = temperature > 0 ? requested : nil  // a seed means nothing when greedy; leaving it out shares the cache
        let builder = PromptBuilder(for: client.candidate)
        let prompt = builder.prompt(for: context.item, types: context.types, demonstrations: spec.demonstrations)
        let sampling = Sampling(
            temperature: temperature, topP: client.candidate.sampling.topP, topK: client.candidate.sampling.topK,
            maxTokens: client.candidate.sampling.maxTokens ?? settings.maxTokens,
            seed: seed, stop: builder.stopSequences)
        do {
            let generation = try await client.generate(GenerationRequest(prompt: prompt, sampling: sampling))
            let proposal = Proposal(
                expert: expert, text: generation.text, extracted: context.extractor.extract(from: generation.text, for: context.item),
                seed: seed)
            context.onTrace("proposal from \(expert)\(seed.map { " (seed \($0))" } ?? ""): \(proposal.extracted.text ?? "unparsable") — \(Self.snippet(generation.text))")
            return .success(proposal)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.onTrace("proposal from \(expert) failed: \(error)")
            return .failure(error)
        }
    }

    /// `count` independent samples of `expert`, concurrently up to its slots, and the failures of those that
    /// failed; with `earlyStop` m > 0, sampling stops once the first m finished samples agree on an extractable answer.
    private func sample(_ expert: String, count: Int, _ context: Context, earlyStop: Int) async throws
        -> (proposals: [Proposal], stoppedEarly: Bool, failures: [any Error])
    {
        let width = earlyStop > 0 ? max(1, context.clients[expert]?.probe.slots ?? 1) : count
        let temperature = settings.temperature
        return try await withThrowingTaskGroup(of: (Int, Result<Proposal, any Error>).self) { group in
            var next = 0
            var stoppedEarly = false
            func launch() {
                let index = next
                next += 1
                group.addTask { (index, try await self.propose(expert, seed: self.seed + index, temperature: temperature, context)) }
            }
            while next < min(width, count) { launch() }
            var done: [(Int, Proposal)] = []
            var failures: [any Error] = []
            for try await (index, outcome) in group {
                switch outcome {
                case .success(let proposal): done.append((index, proposal))
                case .failure(let error): failures.append(error)
                }
                if earlyStop > 0, done.count >= earlyStop {
                    let first = done.prefix(earlyStop).map(\.1.extracted)
                    if let answer = first.first, answer != .unparsable, first.allSatisfy({ $0 == answer }) {
                        stoppedEarly = done.count < count
                        group.cancelAll()
                        break
                    }
                }
                if next < count { launch() }
            }
            return (done.sorted { $0.0 < $1.0 }.map(\.1), stoppedEarly, failures)
        }
    }

    /// One proposal from each of `experts`, in their order, leaving out those that failed.
    private func proposeAll(_ experts: [String], temperature: Double, _ context: Context) async throws
        -> (proposals: [Proposal], failures: [any Error])
    {
        try await withThrowingTaskGroup(of: (Int, Result<Proposal, any Error>).self) { group in
            for (index, expert) in experts.enumerated() {
                group.addTask { (index, try await self.propose(expert, seed: self.seed + index, temperature: temperature, context)) }
            }
            var done: [(Int, Proposal)] = []
            var failures: [any Error] = []
            for try await (index, outcome) in group {
                switch outcome {
                case .success(let proposal): done.append((index, proposal))
                case .failure(let error): failures.append(error)
                }
            }
            return (done.sorted { $0.0 < $1.0 }.map(\.1), failures)
        }
    }

    /// One MoA layer: each chat-capable proposer rewrites its answer given all previous-layer answers.
    private func refine(_ previous: [Proposal], layer: Int, _ context: Context) async throws -> [Proposal] {
        let prompt = AggregationPrompt(question: PromptBuilder.plainQuestion(context.item), type: context.types.type(of: context.item))
        let messages = prompt.messages(carried: nil, proposals: previous)
        let maxTokens = settings.maxTokens
        return try await withThrowingTaskGroup(of: (Int, Proposal).self) { group in
            for (index, proposal) in previous.enumerated() {
                guard let client = context.clients[proposal.expert], client.candidate.promptStyle == .chat else { continue }
                group.addTask {
                    let generation = try? await client.generate(GenerationRequest(
                        prompt: .chat(messages), sampling: Sampling(temperature: self.settings.temperature, maxTokens: maxTokens, seed: self.seed + 100 * layer + index)))
                    guard let generation else { return (index, proposal) }
                    context.onTrace("layer \(layer + 1): \(proposal.expert) refined → \(context.extractor.extract(from: generation.text, for: context.item).text ?? "unparsable")")
                    return (index, Proposal(
                        expert: proposal.expert, text: generation.text,
                        extracted: context.extractor.extract(from: generation.text, for: context.item)))
                }
            }
            var refined = previous
            for try await (index, proposal) in group { refined[index] = proposal }
            return refined
        }
    }

    /// MoE: shared experts always answer; routed experts are added in router order until the answers
    /// agree and the router is confident, or `topK` routed experts have answered (adaptive k).
    private func mixtureOfExperts(
        _ routing: KNNRouter.Decision?, into answer: inout EnsembleAnswer, _ context: Context,
        onText: @escaping @Sendable (String) -> Void
    ) async throws {
        guard let routing else { throw RunnerError.noAnswer("no routing decision") }
        context.onTrace("routing: " + routing.ranking.map { "\($0.expert) \(String(format: "%.2f", $0.weight))" }.joined(separator: ", ")
            + " (nearest: " + routing.nearest.prefix(3).map(\.id).joined(separator: ", ") + ")")
        let shared = spec.experts(with: .shared).map(\.id)
        // Without a shared expert, or when it fails, the routed experts still answer.
        // Every MoE expert answers greedily: its single best answer, as the router's K-shot evidence measured it.
        var (proposals, failures) = try await proposeAll(shared, temperature: 0, context)
        var used = shared
        var routed = 0
        let confident = routing.confidence >= settings.confidence
        for (expert, _) in routing.ranking where !shared.contains(expert) || used.isEmpty {
            let answers = Set(proposals.map(\.extracted))
            let agree = answers.count == 1 && answers.first != .unparsable
            // The shared expert's answer suffices when the router trusts it on such questions.
            let sharedIsTop = routing.ranking.first.map { shared.contains($0.expert) } ?? false
            if !proposals.isEmpty, agree, confident, sharedIsTop || routed > 0 { break }
            if routed >= settings.topK { break }
            if used.contains(expert) { continue }
            switch try await propose(expert, seed: seed, temperature: 0, context) {
            case .success(let proposal): proposals.append(proposal)
            case .failure(let error): failures.append(error)
            }
            used.append(expert)
            routed += 1
        }
        answer.experts = used
        answer.proposals = proposals
        context.onTrace("moe: k=\(used.count) (\(used.joined(separator: ", ")))")
        guard !proposals.isEmpty else { throw RunnerError.noAnswer("every expert failed", failures: failures) }
        answer.failures = failures.map { "\($0)" }
        if proposals.count == 1 {
            answer.text = proposals[0].text
            answer.extracted = proposals[0].extracted
            answer.collapsed = proposals
            return
        }
        try await fuse(proposals, into: &answer, context, onText: onText)
    }

    /// Collapses near-duplicates, fuses over sequential rounds, and falls back to the vote when the
    /// aggregator's final answer cannot be read.
    private func fuse(
        _ proposals: [Proposal], into answer: inout EnsembleAnswer, _ context: Context,
        onText: @escaping @Sendable (String) -> Void
    ) async throws {
        let collapsed = ProposalCollapser().collapse(proposals)
        answer.collapsed = collapsed
        if collapsed.count < proposals.count {
            context.onTrace("collapsed \(proposals.count - collapsed.count) near-duplicate proposals: \(collapsed.count) distinct")
        }
        guard let aggregator = context.clients[spec.aggregator] else { throw RunnerError.missingExpert(spec.aggregator) }
        let schedule = FusionSchedule(proposals: collapsed.count, window: settings.window, maxRounds: settings.rounds)
        if !schedule.unused.isEmpty {
            context.onTrace("\(schedule.unused.count) proposals left unused after \(settings.rounds) rounds")
        }
        let extractor = context.extractor
        let item = context.item
        let fusion = SequentialFusion(
            aggregator: aggregator,
            prompt: AggregationPrompt(question: PromptBuilder.plainQuestion(item), type: context.types.type(of: item)),
            schedule: schedule,
            sampling: .greedy(maxTokens: aggregator.candidate.sampling.maxTokens ?? settings.maxTokens),
            extract: { extractor.extract(from: $0, for: item) })
        var failure: String?
        do {
            answer.rounds = try await fusion.fuse(collapsed, onText: onText, onTrace: context.onTrace)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            failure = "the aggregator failed (\(error))"
        }
        if let last = answer.rounds.last {
            answer.text = last.output
            answer.extracted = last.extracted
        }
        if extractor.type.hasExtractableAnswer, answer.extracted == .unparsable {
            let vote = WeightedVote(proposals, weight: weight)
            answer.vote = vote
            answer.fallback = (failure ?? "the aggregator's answer could not be parsed") + "; answered by vote"
            answer.extracted = vote.winner
            if let representative = vote.representative {
                answer.text = proposals[representative].text
            } else if answer.text.isEmpty, let first = proposals.first {
                answer.text = first.text
            }
            context.onTrace("fallback: " + (answer.fallback ?? "") + " → \(vote.winner.text ?? "unparsable")")
        } else if let failure, let first = proposals.first {
            // Free text has nothing to vote on: the first proposal (the best expert's) answers.
            answer.fallback = failure + "; answered with the first proposal"
            answer.text = first.text
            answer.extracted = first.extracted
            context.onTrace("fallback: " + (answer.fallback ?? ""))
        }
    }

    private static func snippet(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 90 ? String(flat.suffix(90)) : flat
    }
}
