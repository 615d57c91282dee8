/// Something an evaluation measures: an ensemble mode, or one candidate alone (greedy).
public enum EvaluatedSystem: Sendable, Hashable {
    /// The ensemble in a mode.
    case ensemble(EnsembleMode)
    /// A single candidate, greedy: the baseline an ensemble must beat.
    case single(String)

    /// The name shown in tables and stored with results (`self-moa`, `single:qwen`).
    public var name: String {
        switch self {
        case .ensemble(let mode): mode.rawValue
        case .single(let id): "single:\(id)"
        }
    }

    /// Reads a stored name back.
    public init?(name: String) {
        if name.hasPrefix("single:") {
            self = .single(String(name.dropFirst("single:".count)))
        } else if let mode = EnsembleMode(rawValue: name) {
            self = .ensemble(mode)
        } else {
            return nil
        }
    }

    /// Whether this is a single-candidate baseline.
    public var isSingle: Bool { if case .single = self { true } else { false } }
}
