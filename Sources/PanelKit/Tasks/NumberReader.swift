import Foundation

/// Reads the final numeric answer from a model's output to a math word problem.
///
/// Explicit markers beat position, because reasoning is full of intermediate numbers:
/// 1. `#### 72` (GSM8K's own format) — the first number after the last marker;
/// 2. `\boxed{72}` — the last boxed expression (`\frac{1}{2}` is read as 1/2); a box holding algebra
///    (`\boxed{\frac{3B}{2}}`, `\boxed{x + 1}`) states no number, and the output is unparsable: the
///    digits in it are coefficients, not the answer;
/// 3. an answer cue — "the answer is 72", "Answer: $18", "final answer = 3.5" — the last cue followed by
///    a number in its sentence; in that sentence the number after the last "=" ("the answer is 5 + 3 = 8"),
///    otherwise the first number, or number words ("seventy-two");
/// 4. otherwise the last number in the output ("So she made $18 per day." → 18, "… = 24" → 24), outside
///    fenced code blocks when the prose has one, or the whole output as number words.
/// No number at all is unparsable.
///
/// Numbers are read with thousands separators, currency and percent signs and units ("$1,250.00" → 1250,
/// "72 clips" → 72, "3.50" → 3.5). Fractions become decimals when they terminate ("1/2" → 0.5,
/// "2 1/2" → 2.5) and stay reduced fractions otherwise ("2/6" → "1/3"), which never equal a decimal gold
/// answer: rounding would be a guess. GSM8K calculator notes (`<<48/2=24>>`) are removed first.
enum NumberReader {
    /// The canonical number the output answers, or `nil` when it gives none.
    static func number(in output: String) -> String? {
        let text = OutputCleaning.removingCalculatorNotes(output.replacingOccurrences(of: "**", with: ""))
        if let hashes = afterHashes(text) { return hashes }
        switch lastBoxed(text) {
        case .number(let value): return value
        case .symbolic: return nil
        case nil: return afterAnswerCue(text) ?? lastNumber(text)
        }
    }

    /// What the last `\boxed{…}` holds.
    private enum Boxed {
        case number(String)
        /// An expression in variables: the model answered with a formula.
        case symbolic
    }

    // MARK: Cues

    // Shared, immutable compiled regex; see `OutputCleaning` on why `nonisolated(unsafe)` is sound.
    nonisolated(unsafe) private static let answerCue = #/
        (?i)
        \b (?: answer | ans ) \b (?: \s+ to \s+ (?: this | the ) \s+ (?: question | problem ) )?
        (?: \s* \( [^)\n]{0,30} \) )?
        \s* (?: is \b | would \s+ be \b | will \s+ be \b | should \s+ be \b | must \s+ be \b | [:=] )
        \s* [:,]?
        /#.wordBoundaryKind(.simple)

    private static func afterHashes(_ text: String) -> String? {
        guard let marker = text.range(of: "####", options: .backwards) else { return nil }
        return NumberText.tokens(in: String(text[marker.upperBound...])).first?.value
    }

    private static func lastBoxed(_ text: String) -> Boxed? {
        guard let marker = text.range(of: "\\boxed{", options: .backwards) else { return nil }
        var depth = 1
        var end = marker.upperBound
        while end < text.endIndex {
            if text[end] == "{" { depth += 1 }
            if text[end] == "}" {
                depth -= 1
                if depth == 0 { break }
            }
            end = text.index(after: end)
        }
        let expression = latexToPlain(String(text[marker.upperBound..<end]))
        if isAlgebra(expression) { return .symbolic }
        return valueOfExpression(expression).map(Boxed.number)
    }

    // Shared, immutable compiled regexes; see `OutputCleaning` on why `nonisolated(unsafe)` is sound.
    /// A one-letter variable beside an operator (`B/2`, `60/x`, `x + 1`, `x^2`), or a coefficient on one
    /// of the usual unknowns (`2x`, `3n`). A unit stuck to a number (`5m`, `3h`) is neither.
    nonisolated(unsafe) private static let variableTerm = #/
        (?: ^ | [^A-Za-z\\] ) [A-Za-z] \s* [/*+^] | [/*+^] \s* [0-9]* [A-Za-z] (?![A-Za-z]) | [0-9] [xyznXYZN] (?![A-Za-z])
        /#

    /// Whether the value an expression states is a formula. Only its part after the last "=" counts,
    /// which may rightly be a number (`x = 5`).
    private static func isAlgebra(_ expression: String) -> Bool {
        let value = expression.split(separator: "=", omittingEmptySubsequences: false).last ?? Substring(expression)
        return value.contains(variableTerm)
    }

    /// LaTeX inside a box as plain text: `\frac{1}{2}` → `1/2`, `\$18` → `$18`, thin spaces dropped.
    private static func latexToPlain(_ latex: String) -> String {
        var text = latex
        for command in ["\\dfrac", "\\tfrac", "\\frac"] {
            while let range = text.range(of: command + "{") {
                guard let middle = text[range.upperBound...].range(of: "}{"),
                    let close = text[middle.upperBound...].firstIndex(of: "}")
                else { break }
                let numerator = text[range.upperBound..<middle.lowerBound]
                let denominator = text[middle.upperBound..<close]
                text.replaceSubrange(range.lowerBound...close, with: "\(numerator)/\(denominator)")
            }
        }
        for command in ["\\times", "\\cdot"] { text = text.replacingOccurrences(of: command, with: "*") }
        for mark in ["\\$", "\\,", "\\!", "\\%", "\\text", "{", "}"] {
            text = text.replacingOccurrences(of: mark, with: mark == "\\$" ? "$" : "")
        }
        return text
    }

    private static func afterAnswerCue(_ text: String) -> String? {
        for match in text.matches(of: answerCue).reversed() {
            let sentence = sentence(in: text[match.range.upperBound...])
            if let value = valueOfExpression(String(sentence)) ?? NumberText.wordsValue(String(sentence)) {
                return value
            }
        }
        return nil
    }

    /// The text up to the end of its sentence: a line break, or `.`/`!`/`?`/`;` before white space or the
    /// end (a decimal point is followed by a digit, so "3.5" stays whole).
    private static func sentence(in text: Substring) -> Substring {
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\n" { break }
            if ".!?;".contains(character) {
                let next = text.index(after: index)
                if next == text.endIndex || text[next].isWhitespace { break }
            }
            index = text.index(after: index)
        }
        return text[text.startIndex..<index]
    }

    /// The value an answer expression states: the number after the last "=" when there is one
    /// ("5 + 3 = 8"), otherwise the first number.
    private static func valueOfExpression(_ expression: String) -> String? {
        let tokens = NumberText.tokens(in: expression)
        if let equals = expression.utf8.lastIndex(of: UInt8(ascii: "=")) {
            let offset = expression.utf8.distance(from: expression.utf8.startIndex, to: equals)
            if let token = tokens.first(where: { $0.start > offset }) { return token.value }
        }
        return tokens.first?.value
    }

    /// The text without fenced code blocks (a final unclosed one included): models "check" their result
    /// with code that repeats the question's numbers after the result was stated in prose.
    private static func removingCodeBlocks(_ text: String) -> String {
        text.components(separatedBy: "```").enumerated().filter { $0.offset.isMultiple(of: 2) }
            .map(\.element).joined(separator: "\n")
    }

    private static func lastNumber(_ text: String) -> String? {
        NumberText.tokens(in: removingCodeBlocks(text)).last?.value
            ?? NumberText.tokens(in: text).last?.value
            ?? NumberText.wordsValue(
                OutputCleaning.removingLabel(text).trimmingCharacters(in: OutputCleaning.outerPunctuation),
                whole: true)
    }
}
