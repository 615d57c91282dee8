import Foundation

/// Reads the letter a model chose from its output to a multiple-choice question.
///
/// Evidence is tried from strongest to weakest, and the first kind that yields exactly one answer decides:
/// 1. answer cues — "the answer is (B)", "Answer: Option B", "I choose D", "it's C", "C is correct",
///    `\boxed{C}`, `#### C`; when several are present the last one wins, since models often reason past wrong
///    options ("A and C are wrong, the answer is B") or correct themselves;
/// 2. an answer cue followed by a choice's text instead of its letter ("the answer is breathing mask");
/// 3. letters written as options — "(B)", "B)", "B." or "B:" at the start of a line, "Option B", a line
///    holding only "B" — when they name one letter only; options dismissed ("Option A is wrong") and
///    notation ("P(B)") do not count;
/// 4. a choice's text anywhere in the output, when exactly one choice's text appears (a choice whose text
///    lies inside another matched choice's text does not count, so "breathing mask" beats "mask").
/// Otherwise the output is unparsable: several letters with no cue are a list, not an answer.
///
/// Letters beyond the item's choices are never an answer. "A" and "I" are also English words, so a bare
/// "A" followed by a word counts only when that word is a connective ("The answer is A because…"), not
/// otherwise ("The answer is A plant…" names no option), and a lowercase "a" before a word never does.
enum MultipleChoiceReader {
    /// The chosen letter ("B"), or `nil` when the output names no single option.
    static func letter(in output: String, choices: [String]?) -> String? {
        let text = OutputCleaning.removingEmphasis(output)
        let count = min(choices?.count ?? 26, 26)
        func isValid(_ letter: Character) -> Bool {
            guard let ascii = letter.uppercased().first?.asciiValue else { return false }
            return ascii >= 65 && Int(ascii) - 65 < count
        }
        var cued: [(position: String.Index, letter: Character)] = []
        var cuesWithoutLetter: [String.Index] = []
        for match in text.matches(of: cueBefore) {
            if let letter = optionLetter(in: text, at: match.range.upperBound) {
                if isValid(letter) { cued.append((match.range.lowerBound, letter)) }
            } else {
                cuesWithoutLetter.append(match.range.upperBound)
            }
        }
        for match in text.matches(of: cueAfter) where !followsOrdinaryWord(text, match.range.lowerBound) {
            if let letter = (match.output.1 ?? match.output.2)?.first, isValid(letter) {
                cued.append((match.range.lowerBound, letter))
            }
        }
        if let last = cued.max(by: { $0.position < $1.position }) { return last.letter.uppercased() }

        if let choices {
            for cueEnd in cuesWithoutLetter.reversed() {
                let segment = text[cueEnd...].prefix { $0 != "\n" }
                if let index = choiceIndex(matching: String(segment), choices: choices) {
                    return TaskItem.letter(index)
                }
            }
        }

        var named = Set<String>()
        for match in text.matches(of: optionWord) {
            if let letter = optionLetter(in: text, at: match.range.upperBound), isValid(letter),
                !isRejected(text, after: match.range.upperBound)
            {
                named.insert(letter.uppercased())
            }
        }
        for match in text.matches(of: letterAsOption)
        where !isFunctionArgument(text, match.range) && !isRejected(text, after: match.range.upperBound) {
            if let letter = (match.output.1 ?? match.output.2 ?? match.output.3)?.first, isValid(letter) {
                named.insert(letter.uppercased())
            }
        }
        if named.count == 1 { return named.first }
        if named.count > 1 { return nil }

        if let choices, let index = choiceIndex(matching: text, choices: choices) {
            return TaskItem.letter(index)
        }
        return nil
    }

    // MARK: Cues

    // Shared, immutable compiled regexes; see `OutputCleaning` on why `nonisolated(unsafe)` is sound.

    /// Phrases that announce the chosen option; the letter itself is read by hand after the match, where
    /// the "A"-as-article rule needs more context than a regex conveniently gives.
    nonisolated(unsafe) private static let cueBefore = #/
        (?i)
        (?:
            \b (?: the \s+ )? (?: (?: final | correct | right | best ) \s+ )? (?: answer | ans ) \b
                (?: \s+ to \s+ (?: this | the ) \s+ question )?
                (?: \s* \( [^)\n]{0,30} \) )?
                \s* (?: is \b | would \s+ be \b | will \s+ be \b | should \s+ be \b | must \s+ be \b | [:=\-–] )?
            | \b (?: correct | right | best | final ) \s+ (?: option | choice | letter ) \b
                \s* (?: is \b | would \s+ be \b | will \s+ be \b | [:=\-] )?
            | \b I (?: \s+ would | \s+ will | ['’] d | ['’] ll )? \s+
                (?: choose | pick | select | go \s+ with | say ) \b
            | \b (?: it ['’] s | it \s+ is ) \b
            | \\boxed \{
            | \#\#\#\#
        )
        \s* [:,]? \s* (?: (?: option | choice | letter ) \b \s* :? )?
        /#.wordBoundaryKind(.simple)

    /// A letter followed by a verdict: "B is correct", "(C) is the answer", "Option D is the best choice".
    nonisolated(unsafe) private static let cueAfter = #/
        (?: \( ([A-Za-z]) \) | \b ([A-Z]) \b ) \s+ (?i: is | would \s+ be | seems \s+ to \s+ be ) \s+
        (?i: the \s+ )? (?i: most \s+ )? (?i: correct | right | best | answer \b | true \b )
        /#.wordBoundaryKind(.simple)

    /// "Option" and "choice" before a letter, which name an option without committing to it.
    nonisolated(unsafe) private static let optionWord = #/(?i)\b(?:option|choice)\b\s*/#.wordBoundaryKind(.simple)

    /// Letters written the way options are labelled: "(B)", "[B]", "B)" / "B." / "B:" opening a line, or a
    /// line holding only the letter.
    nonisolated(unsafe) private static let letterAsOption = #/
        (?m)
        [(\[] ([A-Za-z]) [)\]]
        | ^ [^\S\n]* ([A-Za-z]) [^\S\n]* [.):\-] (?= \s | $ )
        | ^ [^\S\n]* ([A-Za-z]) [^\S\n]* $
        /#.wordBoundaryKind(.simple)

    /// Words after which a bare "A" or "I" can still be an option letter rather than an article or pronoun.
    private static let connectives: Set<String> = [
        "because", "since", "as", "is", "was", "which", "and", "or", "but", "so", "with", "for", "here",
        "would", "seems", "option", "choice", "answer", "being", "in", "from",
    ]

    /// A dismissal right after an option: "is wrong", "A) is not", "are incorrect".
    nonisolated(unsafe) private static let rejection = #/
        (?i) ^ [^\S\n]* (?: [A-Za-z] [)\]]? \s+ )? (?: is | are ) \s+ (?: wrong | incorrect | not \b | false \b )
        /#.wordBoundaryKind(.simple)

    /// Whether the option named just before `position` is dismissed rather than chosen ("Option A is wrong",
    /// "(C) is not correct").
    private static func isRejected(_ text: String, after position: String.Index) -> Bool {
        text[position...].prefixMatch(of: rejection) != nil
    }

    /// Whether a bracketed letter is notation such as "P(B)" or "f(x)" rather than an option label.
    private static func isFunctionArgument(_ text: String, _ range: Range<String.Index>) -> Bool {
        guard text[range].first == "(" || text[range].first == "[", range.lowerBound > text.startIndex else {
            return false
        }
        let before = text[text.index(before: range.lowerBound)]
        return before.isLetter || before.isNumber
    }

    /// Words after which a capital letter is still an option ("so B is correct") rather than part of a
    /// name ("Vitamin C is the best source").
    private static let lettersLeadIns: Set<String> = [
        "option", "choice", "letter", "answer", "so", "thus", "hence", "therefore", "and", "then", "think",
        "believe", "only",
    ]

    /// Whether the word just before `position` is an ordinary word, making a capital letter there part of a
    /// name rather than an option.
    private static func followsOrdinaryWord(_ text: String, _ position: String.Index) -> Bool {
        let before = text[..<position].reversed().drop { $0 == " " }
        guard let last = before.first, last.isLetter else { return false }
        let word = String(before.prefix { $0.isLetter }.reversed()).lowercased()
        return !lettersLeadIns.contains(word)
    }

    /// The option letter written at `start` ("B", "(b)", "[C]"), or `nil` when what follows is not a lone
    /// letter (a word, or an article).
    private static func optionLetter(in text: String, at start: String.Index) -> Character? {
        var index = start
        while index < text.endIndex, text[index] == " " { index = text.index(after: index) }
        guard index < text.endIndex else { return nil }
        let opener = text[index]
        let bracketed = opener == "(" || opener == "["
        if bracketed { index = text.index(after: index) }
        guard index < text.endIndex, text[index].isASCII, text[index].isLetter else { return nil }
        let letter = text[index]
        let after = text.index(after: index)
        let next: Character? = after < text.endIndex ? text[after] : nil
        if bracketed { return next == ")" || next == "]" ? letter : nil }
        if let next, next.isLetter || next.isNumber || next == "'" || next == "’" { return nil }
        guard "aAiI".contains(letter), next == " " else { return letter }
        // A lowercase "a" before a word is always the article ("it is a correct representation").
        guard letter.isUppercase else { return nil }
        let word = text[after...].drop { $0 == " " }.prefix { $0.isLetter }.lowercased()
        return word.isEmpty || connectives.contains(word) ? letter : nil
    }

    // MARK: Choice texts

    /// The index of the one choice whose text appears in `text` as whole words, case and punctuation
    /// aside; a match lying inside a longer matched choice is dropped, so the most specific choice wins.
    static func choiceIndex(matching text: String, choices: [String]) -> Int? {
        let haystack = " " + OutputCleaning.comparisonWords(text).joined(separator: " ") + " "
        let forms = choices.map { OutputCleaning.comparisonWords($0).joined(separator: " ") }
        let found = forms.indices.filter { !forms[$0].isEmpty && haystack.contains(" \(forms[$0]) ") }
        let maximal = found.filter { index in
            !found.contains { other in
                forms[other] != forms[index] && " \(forms[other]) ".contains(" \(forms[index]) ")
            }
        }
        return maximal.count == 1 ? maximal.first : nil
    }
}
