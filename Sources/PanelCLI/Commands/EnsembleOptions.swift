import PanelKit

/// Command-line overrides of an ensemble's settings, shared by `ask` and `evaluate`.
struct EnsembleOptions: Sendable {
    var samples: Int?
    var window: Int?
    var rounds: Int?
    var topK: Int?
    var temperature: Double?
    var earlyStop: Int?
    var maxTokens: Int?
    var seed = 1000
    var layers = 1

    static let specOptions: [CommandSpec.Option] = [
        .option("--samples", value: "n", help: "Self-MoA samples (and vote samples). (default: the ensemble's, 6)"),
        .option("--window", value: "w", help: "Proposals per fusion round. (default: 3)"),
        .option("--rounds", value: "r", help: "Most fusion rounds. (default: 4)"),
        .option("--top-k", value: "k", help: "Most routed experts per question in moe mode. (default: 2)"),
        .option("--temperature", value: "t", help: "Sampling temperature of proposals. (default: 0.7)"),
        .option("--early-stop", value: "m", help: "Stop Self-MoA sampling once the first m samples agree (0: off). (default: 0)"),
        .option("--layers", value: "l", help: "MoA layers: proposers refine each other's answers l-1 times. (default: 1)"),
        .option("--max-tokens", value: "n", help: "Generation budget per answer of candidates whose pool entry sets none. (default: the ensemble's)"),
        .option("--seed", value: "n", help: "Base seed of samples (sample i uses seed+i).", defaultValue: "1000"),
    ]

    /// Parses `option` if it is one of these; returns false otherwise.
    mutating func parse(_ option: String, _ cursor: inout ArgumentCursor) throws(UsageError) -> Bool {
        switch option {
        case "--samples": samples = try cursor.positiveInt(for: option)
        case "--window": window = try cursor.positiveInt(for: option)
        case "--rounds": rounds = try cursor.positiveInt(for: option)
        case "--top-k": topK = try cursor.positiveInt(for: option)
        case "--temperature": temperature = try cursor.double(for: option, in: 0...5)
        case "--early-stop": earlyStop = try cursor.int(for: option)
        case "--layers": layers = try cursor.positiveInt(for: option)
        case "--max-tokens": maxTokens = try cursor.positiveInt(for: option)
        case "--seed": seed = try cursor.int(for: option)
        default: return false
        }
        return true
    }

    /// The spec's settings with these overrides.
    func applied(to settings: EnsembleSpec.Settings) -> EnsembleSpec.Settings {
        var s = settings
        if let samples { s.samples = samples }
        if let window { s.window = window }
        if let rounds { s.rounds = rounds }
        if let topK { s.topK = topK }
        if let temperature { s.temperature = temperature }
        if let earlyStop { s.earlyStop = earlyStop }
        if let maxTokens { s.maxTokens = maxTokens }
        return s
    }

    /// Loads the ensemble and opens its pool, refusing files changed since selection (see `checkSources`).
    static func open(
        ensemble path: String, pool override: String?, database: String?, context: CommandContext, run: String?,
        policy: CallPolicy
    ) async throws -> (EnsembleSpec, PoolSession) {
        let spec = try EnsembleSpec.load(path: path)
        let pool = try PoolLoader.load(path: override ?? spec.poolPath)
        if let warning = try spec.checkSources(pool: pool, poolChosen: override != nil) {
            context.console.warn(warning)
        }
        let store = try CommandSupport.openStore(database, environment: context.environment)
        let session = try await PoolSession.open(
            pool, store: store, transport: CommandSupport.transport(), run: run, reuseProbesYoungerThan: 600,
            policy: policy)
        return (spec, session)
    }
}
