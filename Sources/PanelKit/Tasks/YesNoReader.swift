import Foundation

/// Reads "yes" or "no" from a model's output to a yes/no question; "true"/"false" count as yes/no, and
/// "yeah"/"yep"/"nope" as well where they open the output or stand alone.
///
/// 1. An answer cue decides: "the answer is no", "Answer: yes", "I would say yes", `\boxed{no}`, `#### no`; with
///    several, the last wins, as the final stated answer is the model's conclusion.
/// 2. Otherwise the first decisive mention decides: the output's first word ("Yes, because…", "No.",
///    "**yes**", "True"), or a yes/no standing alone as a sentence or after "so"/"therefore"
///    ("…in December. So yes."). Later mentions are reasoning or hedging, and the first is what small
///    models state before rambling, so a conflicting later mention does not make it unparsable.
/// 3. Otherwise unparsable: a "yes" or "no" inside a sentence ("there is no evidence", "no one knows",
///    "it is not true that") is not an answer, and "true"/"false" count only as the first word.
enum YesNoReader {
    /// "yes" or "no", or `nil` when the output gives neither.
    static func answer(in output: String) -> String? {
        let text = OutputCleaning.removingEmphasis(output)
        if let last = text.matches(of: cue).last { return polarity(last.output.1) }
        if let first = firstWordAnswer(text) { return first }
        if let first = text.firstMatch(of: standalone) { return polarity(first.output.1) }
        return nil
    }

    /// The polarity of a yes/no/true/false word.
    static func polarity(_ word: Substring) -> String {
        switch word.lowercased() {
        case "yes", "true", "yeah", "yep", "yup": "yes"
        default: "no"
        }
    }

    // Shared, immutable compiled regexes; see `OutputCleaning` on why `nonisolated(unsafe)` is sound.
    nonisolated(unsafe) private static let cue = #/
        (?i)
        (?:
            \b (?: the \s+ )? (?: (?: final | correct | right | short ) \s+ )? (?: answer | ans ) \b
                (?: \s+ to \s+ (?: this | the ) \s+ question )?
                (?: \s* \( [^)\n]{0,30} \) )?
                \s* (?: is \b | would \s+ be \b | will \s+ be \b | should \s+ be \b | must \s+ be \b | [:=\-] )?
            | \b I (?: \s+ would | \s+ will | ['’] d )? \s+ (?: say | answer | go \s+ with ) \b
            | \\boxed \{
            | \#\#\#\#
        )
        \s* [:,]? \s* ["'“(]? \s* (yes | no | true | false) \b
        /#.wordBoundaryKind(.simple)

    /// A yes/no closing a sentence on its own ("… December. Yes.") or after "so"/"therefore".
    nonisolated(unsafe) private static let standalone = #/
        (?i)
        (?: ^ | [.!?:] \s+ | \n \s* | \b (?: so | therefore | thus | hence ) \s* ,? \s+ )
        (yes | no | yeah | yep | nope) \b (?= \s* (?: [.!,;] | $ ) )
        /#.wordBoundaryKind(.simple)

    /// Words after which a leading "No" is a determiner ("No one knows") rather than an answer.
    private static let determinedWords: Set<String> = [
        "one", "longer", "matter", "doubt", "more", "less", "way", "such", "evidence", "other", "body",
        "single", "idea", "information", "data", "need", "known", "scientific", "study", "studies",
    ]

    /// The answer given by the output's first word, when it is yes/no/true/false used as an answer.
    private static func firstWordAnswer(_ text: String) -> String? {
        let body = text.drop { $0.isWhitespace || "\"'“‘([".contains($0) }
        let word = body.prefix { $0.isLetter }
        let lowered = word.lowercased()
        guard ["yes", "no", "true", "false", "yeah", "yep", "yup", "nope"].contains(lowered) else { return nil }
        let rest = body[word.endIndex...]
        guard let next = rest.first else { return polarity(word) }
        // "yes/no" and "no-one" are not answers.
        if next.isLetter || next.isNumber || next == "/" || next == "-" { return nil }
        if next != " " { return polarity(word) }
        // A word follows: "Yes it is" answers; "True love" and "No one knows" do not.
        let following = rest.drop { $0 == " " }.prefix { $0.isLetter }.lowercased()
        switch lowered {
        case "no": return determinedWords.contains(following) ? nil : "no"
        case "true", "false": return following.isEmpty ? polarity(word) : nil
        default: return polarity(word)
        }
    }
}
