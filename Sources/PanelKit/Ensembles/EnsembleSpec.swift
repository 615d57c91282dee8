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

    /// The file a spec was read from, with the lines of the fields checked only after loading, so those
    /// checks can still point at the line to fix.
    public struct Origin: Sendable, Equatable {
        /// The ensemble file's path as given.
        public var file: String
        /// The 1-based line of each field checked after loading, by field path (`pool.sha256`,
        /// `kshot.sha256`, `experts[0].id`, …).
        public var lines: [String: Int]

        /// Creates an origin.
        public init(file: String, lines: [String: Int]) {
            self.file = file
            self.lines = lines
        }

        func error(_ field: String, _ message: String) -> DataFileError {
            DataFileError(file: file, line: lines[field] ?? 1, field: field, message: message)
        }
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
    /// The file the spec was loaded from; `nil` for a spec made in memory.
    public var origin: Origin?

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

    /// Checks that the ensemble still fits the files it was selected from, before anything runs.
    ///
    /// The experts' accuracies, the router's correctness flags and the demonstrations were measured on
    /// the pool and the K-shot file as they were then. A changed pool may give an expert's id to another
    /// model or drop it, and a changed K-shot file (a corrected gold answer, new items) leaves the
    /// routing describing the old items; either is an error at its fingerprint that says how to rebuild
    /// the ensemble. A pool named on the command line (`poolChosen`) is used deliberately, so its
    /// difference is only a warning, but its candidates must still include every expert.
    ///
    /// Not checked: a fingerprint the file does not give (a hand-written ensemble), and a K-shot file no
    /// longer at its path — the ensemble carries everything answering needs from it.
    /// - Returns: A warning to show, if any.
    public func checkSources(pool: Pool, poolChosen: Bool) throws(DataFileError) -> String? {
        let origin = origin ?? Origin(file: "ensembles/\(task).json", lines: [:])
        let rebuild = "rerun 'panel select-experts --pool \(poolPath) --kshot \(kshotPath) --out \(origin.file)'"
        var warning: String?
        if !poolFingerprint.isEmpty, pool.fingerprint != poolFingerprint {
            guard poolChosen else {
                throw origin.error(
                    "pool.sha256",
                    "\(pool.path) has changed since this ensemble was selected from it; \(rebuild), "
                        + "or pass '--pool \(pool.path)' to use the pool as it is now")
            }
            let selectedFrom = pool.path == poolPath ? "an earlier version of it" : poolPath
            warning = "using \(pool.path) as --pool asks, though this ensemble was selected from \(selectedFrom)"
        }
        for (index, expert) in experts.enumerated() where pool.candidate(expert.id) == nil {
            throw origin.error(
                "experts[\(index)].id",
                "'\(expert.id)' is not a candidate of \(pool.path) (which has \(pool.candidates.map(\.id).joined(separator: ", ")))")
        }
        if !kshotFingerprint.isEmpty, let data = FileManager.default.contents(atPath: kshotPath),
            SHA256.hexDigest(data) != kshotFingerprint
        {
            throw origin.error(
                "kshot.sha256",
                "\(kshotPath) has changed since this ensemble was selected with it, so its accuracies and routing "
                    + "describe the old items; \(rebuild), or remove this field to keep using the ensemble as it is")
        }
        return warning
    }

    /// The answer types of the demonstrations and routed questions.
    public var types: TaskTypeResolution {
        if let taskType { return TaskTypeResolution(uniform: taskType) }
        return TaskTypeResolution(items: demonstrations, types: demonstrations.map(TaskType.infer(from:)))
    }
}
