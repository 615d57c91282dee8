import Foundation

/// An assembled ensemble, as `panel select-experts` writes it and `panel ask` and `panel evaluate` read it.
///
/// The file is self-contained for answering: it names the pool (with a fingerprint, so a changed
/// pool is noticed), carries the demonstrations completion-style experts need, and the router's
/// K-shot vectors with each expert's correctness on them.
public struct EnsembleSpec: Sendable, Equatable {
    /// The file format's name and version.
    public static let format = "panel-ensemble/1"

    /// What an expert does in the ensemble.
    public enum Role: String, Sendable, CaseIterable {
        /// Puts forward answers.
        case proposer
        /// Fuses proposals.
        case aggregator
        /// Always answers in MoE mode, whatever the routing (DeepSeekMoE's shared expert).
        case shared
    }

    /// One expert of the ensemble.
    public struct Expert: Sendable, Equatable {
        /// The candidate's id in the pool.
        public var id: String
        /// Its roles.
        public var roles: [Role]
        /// Its K-shot accuracy, the weight of its vote.
        public var accuracy: Double

        /// Creates an expert.
        public init(id: String, roles: [Role], accuracy: Double) {
            self.id = id
            self.roles = roles
            self.accuracy = accuracy
        }
    }

    /// How the modes run; every field can be overridden on the command line.
    public struct Settings: Sendable, Equatable {
        /// Self-MoA samples.
        public var samples: Int = 6
        /// Proposals per fusion round.
        public var window: Int = 3
        /// Most fusion rounds.
        public var rounds: Int = 4
        /// Most routed experts per question in MoE mode.
        public var topK: Int = 2
        /// Sampling temperature of proposals.
        public var temperature: Double = 0.7
        /// Stop Self-MoA sampling once the first this-many samples agree (0: never).
        public var earlyStop: Int = 0
        /// Router confidence (top weight / (top + runner-up)) at or above which MoE adds no further
        /// expert once the answers so far agree.
        public var confidence: Double = 0.7
        /// Generation budget per answer.
        public var maxTokens: Int = 384

        /// Creates settings.
        public init() {}
    }

    /// The task's name (the K-shot file's folder or stem).
    public var task: String
    /// The task type, or `nil` for a mixed K-shot file (items carry their own type).
    public var taskType: TaskType?
    /// The recommended mode.
    public var mode: EnsembleMode
    /// Why that mode.
    public var reason: String
    /// The experts, best first.
    public var experts: [Expert]
    /// The aggregator's candidate id.
    public var aggregator: String
    /// Mode settings.
    public var settings: Settings
    /// The pool file, as given to select-experts.
    public var poolPath: String
    /// The pool file's SHA-256 when the ensemble was built.
    public var poolFingerprint: String
    /// The K-shot file.
    public var kshotPath: String
    /// The K-shot file's SHA-256.
    public var kshotFingerprint: String
    /// K-shot items used as demonstrations by completion-style experts.
    public var demonstrations: [TaskItem]
    /// The MoE router's data.
    public var router: RouterData
    /// The selection report (scores of every candidate), kept for reference.
    public var scores: JSONValue

    /// Creates a spec.
    public init(
        task: String, taskType: TaskType?, mode: EnsembleMode, reason: String, experts: [Expert], aggregator: String,
        settings: Settings, poolPath: String, poolFingerprint: String, kshotPath: String, kshotFingerprint: String,
        demonstrations: [TaskItem], router: RouterData, scores: JSONValue = .null
    ) {
        self.task = task
        self.taskType = taskType
        self.mode = mode
        self.reason = reason
        self.experts = experts
        self.aggregator = aggregator
        self.settings = settings
        self.poolPath = poolPath
        self.poolFingerprint = poolFingerprint
        self.kshotPath = kshotPath
        self.kshotFingerprint = kshotFingerprint
        self.demonstrations = demonstrations
        self.router = router
        self.scores = scores
    }

    /// The experts with a role.
    public func experts(with role: Role) -> [Expert] { experts.filter { $0.roles.contains(role) } }

    /// The answer types of the demonstrations and routed questions.
    public var types: TaskTypeResolution {
        if let taskType { return TaskTypeResolution(uniform: taskType) }
        return TaskTypeResolution(items: demonstrations, types: demonstrations.map(TaskType.infer(from:)))
    }
}
