/// The answer read from one model output, in the normal form of its task type, so that equal answers are
/// equal values and can be counted as votes.
public enum ExtractedAnswer: Hashable, Sendable {
    /// An answer in normal form: a letter ("B"), a canonical number ("1250", "0.5"), "yes"/"no",
    /// a normalised short answer, or the trimmed free text.
    case answer(String)
    /// The output states no answer of the task's kind; never correct, and no vote.
    case unparsable

    /// The normal form, or `nil` when unparsable.
    public var text: String? {
        if case .answer(let text) = self { return text }
        return nil
    }
}
