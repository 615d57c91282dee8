import Foundation

/// Reads short exact answers and open free-text answers, and compares free text with its gold answer.
enum TextAnswerReader {
    /// The short answer an output gives, normalised: the text after the last "the answer is"/"answer:" cue,
    /// otherwise the first non-empty line; cut at the end of its first sentence; lowercased, outer
    /// punctuation and quotes stripped, white space collapsed. `nil` when nothing is left.
    static func exactAnswer(in output: String) -> String? {
        let text = OutputCleaning.removingLabel(OutputCleaning.removingEmphasis(output))
        let candidate: Substring
        if let cue = text.matches(of: answerCue).last {
            candidate = text[cue.range.upperBound...].prefix { $0 != "\n" }
        } else {
            candidate = text.split(separator: "\n").first { $0.contains { !$0.isWhitespace } } ?? ""
        }
        let answer = OutputCleaning.normalizedShortAnswer(String(firstSentence(of: candidate)))
        return answer.isEmpty ? nil : answer
    }

    /// A free-text output in its stored form: trimmed and without a leading answer label, but otherwise as
    /// written, since code must keep its indentation. `nil` when nothing is left.
    static func freeText(in output: String) -> String? {
        let text = OutputCleaning.removingLabel(output)
        return text.isEmpty ? nil : text
    }

    /// Whether a free-text answer matches the gold answer: equal after normalisation, or containing the
    /// gold answer's words in order, or sharing enough words — token F1 at least `threshold`, with
    /// words compared as in SQuAD (lowercased, punctuation and articles dropped).
    ///
    /// Free text has no single right wording, so exact equality would score paraphrases wrong; containment
    /// accepts a right answer with an explanation around it, F1 a close paraphrase. This is lenient by design
    /// (an answer that states the gold and then contradicts it passes); tasks with runnable tests or lists of
    /// acceptable answers should be scored by those instead.
    static func freeTextMatches(_ answer: String, gold: String, threshold: Double) -> Bool {
        if OutputCleaning.normalizedShortAnswer(answer) == OutputCleaning.normalizedShortAnswer(gold) {
            return true
        }
        let answerWords = OutputCleaning.comparisonWords(answer)
        let goldWords = OutputCleaning.comparisonWords(gold)
        guard !answerWords.isEmpty, !goldWords.isEmpty else { return false }
        if " \(answerWords.joined(separator: " ")) ".contains(" \(goldWords.joined(separator: " ")) ") {
            return true
        }
        return tokenF1(answerWords, goldWords) >= threshold
    }

    /// SQuAD's token F1: the harmonic mean of precision and recall of shared words, counted with multiplicity.
    static func tokenF1(_ answer: [String], _ gold: [String]) -> Double {
        var remaining: [String: Int] = [:]
        for word in gold { remaining[word, default: 0] += 1 }
        var shared = 0
        for word in answer where (remaining[word] ?? 0) > 0 {
            remaining[word]! -= 1
            shared += 1
        }
        guard shared > 0 else { return 0 }
        let precision = Double(shared) / Double(answer.count)
        let recall = Double(shared) / Double(gold.count)
        return 2 * precision * recall / (precision + recall)
    }

    // Shared, immutable compiled regex; see `OutputCleaning` on why `nonisolated(unsafe)` is sound.
    nonisolated(unsafe) private static let answerCue = #/
        (?i)
        \b (?: the \s+ )? (?: (?: final | correct | short ) \s+ )? answer \b
        (?: \s+ to \s+ (?: this | the ) \s+ question )?
        \s* (?: is \b | would \s+ be \b | : )
        \s* :?
        /#.wordBoundaryKind(.simple)

    /// Abbreviations whose period does not end a sentence.
    private static let abbreviations: Set<String> = ["st", "mr", "mrs", "ms", "dr", "jr", "sr", "vs", "no", "mt"]

    /// The text up to the end of its first sentence: a `.`, `!` or `?` followed by a space and a capital
    /// letter, unless the period closes an initial ("J. K. Rowling") or an abbreviation ("St. Louis").
    private static func firstSentence(of text: Substring) -> Substring {
        var index = text.startIndex
        while index < text.endIndex {
            if ".!?".contains(text[index]) {
                let space = text.index(after: index)
                if space < text.endIndex, text[space] == " " {
                    let next = text.index(after: space)
                    let word = String(text[..<index].reversed().prefix { $0.isLetter }.reversed()).lowercased()
                    let isAbbreviation = text[index] == "." && (word.count == 1 || abbreviations.contains(word))
                    if next < text.endIndex, text[next].isUppercase, !isAbbreviation {
                        return text[..<index]
                    }
                }
            }
            index = text.index(after: index)
        }
        return text
    }
}
