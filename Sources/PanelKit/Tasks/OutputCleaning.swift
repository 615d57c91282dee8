import Foundation

/// Removes the parts of a model's raw output that cannot hold its answer but would fool a reader:
/// an echoed question, a continuation of the few-shot pattern, markup and dataset annotations.
enum OutputCleaning {
    // Regex constants: `Regex` is not declared `Sendable`, but a compiled regex is immutable (its lazily
    // lowered program is published once, atomically, by the standard library), so sharing one across tasks
    // is safe, and compiling a pattern on every call would cost more than matching it. The readers of the
    // other answer types rely on the same reasoning. All patterns use simple word boundaries: Swift's default
    // Unicode boundaries (UAX #29) treat "ANSWER:D" and "it's" as single words.
    nonisolated(unsafe) private static let label =
        #/(?i)(?:final\s+)?(?:answer|a)\s*[:：]\s*/#.wordBoundaryKind(.simple)

    /// Line labels with which a base model starts inventing the next few-shot example.
    private static let continuationLabels = ["question", "q", "problem", "passage", "input", "user", "human"]

    /// The output without an echoed copy of the question and without anything from the first line that
    /// starts a new example ("Question: …", "Q2: …") on, as base models continue the K-shot pattern and
    /// then "answer" the question they invented.
    static func answerRegion(of output: String, question: String?) -> String {
        var text = output
        // Only a long echo is removed: a short question could match words of a genuine answer.
        if let question, question.count >= 12, let range = text.range(of: question) {
            text.removeSubrange(range)
        }
        return truncatingContinuation(text)
    }

    /// The text up to the first line that starts a new example, once some content has been seen.
    static func truncatingContinuation(_ text: String) -> String {
        var kept: [Substring] = []
        var seenContent = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if seenContent, startsNewExample(line) { break }
            kept.append(line)
            if line.contains(where: { !$0.isWhitespace }) { seenContent = true }
        }
        return kept.joined(separator: "\n")
    }

    private static func startsNewExample(_ line: Substring) -> Bool {
        let body = line.drop { $0.isWhitespace || $0 == "#" || $0 == "*" || $0 == ">" }.lowercased()
        for label in continuationLabels where body.hasPrefix(label) {
            let rest = body.dropFirst(label.count).drop { $0 == " " || $0.isNumber || $0 == "*" }
            if rest.first == ":" { return true }
        }
        return false
    }

    /// The text without Markdown emphasis and code marks, which models wrap around answers ("**B**").
    static func removingEmphasis(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "*" && $0 != "`" }.map(Character.init))
    }

    /// The text without GSM8K calculator annotations (`<<48/2=24>>`), which models trained on GSM8K copy
    /// and which no reader should count as written numbers.
    static func removingCalculatorNotes(_ text: String) -> String {
        guard text.contains("<<") else { return text }
        var result = ""
        var rest = text[...]
        while let open = rest.range(of: "<<") {
            guard let close = rest[open.upperBound...].range(of: ">>"),
                !rest[open.upperBound..<close.lowerBound].contains(where: { $0 == "<" || $0 == "\n" })
            else {
                result += rest[..<open.upperBound]
                rest = rest[open.upperBound...]
                continue
            }
            result += rest[..<open.lowerBound]
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    /// The text without a leading answer label ("Answer:", "Final answer:", "A:"), which belongs to the
    /// prompt's format rather than to the answer.
    static func removingLabel(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let match = trimmed.prefixMatch(of: label) {
            return trimmed[match.range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return trimmed
    }

    /// Characters stripped from both ends of a short answer: punctuation and quotes are not part of it.
    static let outerPunctuation = CharacterSet(charactersIn: ".,;:!?\"'`*()[]{}“”‘’«»")
        .union(.whitespacesAndNewlines)

    /// A short answer in comparable form: lowercased, outer punctuation and quotes stripped, runs of white
    /// space collapsed to one space ("  \"Paris.\" " → "paris").
    static func normalizedShortAnswer(_ text: String) -> String {
        text.lowercased().trimmingCharacters(in: outerPunctuation)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Words for loose comparison of texts: lowercased, punctuation as spaces, articles dropped, as in the
    /// SQuAD answer normalisation.
    static func comparisonWords(_ text: String) -> [String] {
        let spaced = String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : " " })
        return spaced.split(separator: " ").map(String.init).filter { !["a", "an", "the"].contains($0) }
    }
}
