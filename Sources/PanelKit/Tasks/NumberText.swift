import Foundation

/// Numbers as people and models write them ("1,250.00", "$18", "-3", "1/2", "seventy-two"), read into one
/// canonical decimal string so that equal values compare equal as strings and can be voted on.
///
/// Scanning works on UTF-8 offsets rather than `Character`s: it is several times faster than `Regex` on long
/// outputs, and every byte it looks at is ASCII, so offsets never split a character.
enum NumberText {
    /// A number found in a text, with its place as UTF-8 offsets so callers can relate it to cue phrases.
    struct Token: Equatable {
        /// The canonical form of the value.
        var value: String
        /// The UTF-8 offset of the first byte (the sign or currency symbol when present).
        var start: Int
        /// The UTF-8 offset just past the last digit.
        var end: Int
    }

    /// The canonical form of a text that is exactly one number, or `nil` for anything else.
    ///
    /// Strict reading allows only surrounding space, a currency sign, a percent sign and a closing period
    /// ("$1,250.00", "50%"); it decides whether a gold answer is numeric. Lenient reading also allows a unit
    /// word after the number ("72 clips") and number words ("seventy-two"), as a model may answer.
    static func canonical(_ text: String, strict: Bool = true) -> String? {
        let tokens = tokens(in: text)
        guard let token = tokens.first else { return strict ? nil : wordsValue(text, whole: true) }
        guard tokens.count == 1 else { return nil }
        let bytes = Array(text.utf8)
        let before = bytes[..<token.start].filter { !isSpace($0) }
        guard before.isEmpty || before == [UInt8(ascii: "$")] else { return nil }
        let after = String(decoding: bytes[token.end...], as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if after.isEmpty || after == "." || after == "%" || after == "%." { return token.value }
        let isUnit = after.count <= 20 && after.allSatisfy { $0.isLetter || $0 == " " || $0 == "." }
        return !strict && isUnit ? token.value : nil
    }

    /// Every number in `text`, in order. Numbers glued to a preceding letter ("CO2", "x2") are not numbers.
    static func tokens(in text: String) -> [Token] {
        let bytes = Array(text.utf8)
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if isLetter(byte) {
                // Skip the whole word, so digits inside it ("step2", "H2O") are not read.
                while index < bytes.count, isLetter(bytes[index]) || isDigit(bytes[index]) { index += 1 }
                continue
            }
            let startsNumber = isDigit(byte)
                || (byte == UInt8(ascii: ".") && index + 1 < bytes.count && isDigit(bytes[index + 1])
                    && (index == 0 || isSpace(bytes[index - 1])))
            guard startsNumber, let (token, end) = scanNumber(bytes, at: index) else {
                index += 1
                continue
            }
            tokens.append(token)
            index = end
        }
        return mergingMixedNumbers(tokens, bytes)
    }

    /// Reads the number starting at `start` (a digit, or a period before digits), with the sign or currency
    /// symbol just before it; returns the token and the offset where scanning resumes.
    private static func scanNumber(_ bytes: [UInt8], at start: Int) -> (Token, Int)? {
        var index = start
        var integer: [UInt8] = []
        while index < bytes.count, isDigit(bytes[index]) {
            integer.append(bytes[index])
            index += 1
        }
        // Thousands separators: only groups of exactly three digits after a run of one to three digits,
        // so "1,250" is one number but "1,2,3" and "2024,12" are several.
        var hasGroups = false
        if integer.count <= 3 {
            while index + 3 < bytes.count, bytes[index] == UInt8(ascii: ","), isDigit(bytes[index + 1]),
                isDigit(bytes[index + 2]), isDigit(bytes[index + 3]),
                index + 4 == bytes.count || !isDigit(bytes[index + 4])
            {
                integer.append(contentsOf: bytes[(index + 1)...(index + 3)])
                hasGroups = true
                index += 4
            }
        }
        var fraction: [UInt8] = []
        var hasPoint = false
        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "."), isDigit(bytes[index + 1]) {
            hasPoint = true
            index += 1
            while index < bytes.count, isDigit(bytes[index]) {
                fraction.append(bytes[index])
                index += 1
            }
        }
        let (negative, tokenStart) = signAndStart(bytes, digitsStart: start)
        // A fraction "a/b", but not a date "3/4/2020", whose parts are left to be read as separate numbers.
        if !hasGroups, !hasPoint, index + 1 < bytes.count, bytes[index] == UInt8(ascii: "/"),
            isDigit(bytes[index + 1])
        {
            var denominatorEnd = index + 1
            while denominatorEnd < bytes.count, isDigit(bytes[denominatorEnd]) { denominatorEnd += 1 }
            let isDate = denominatorEnd + 1 < bytes.count && bytes[denominatorEnd] == UInt8(ascii: "/")
                && isDigit(bytes[denominatorEnd + 1])
            if !isDate {
                let denominator = String(decoding: bytes[(index + 1)..<denominatorEnd], as: UTF8.self)
                guard
                    let value = fractionValue(
                        negative: negative, whole: 0, numerator: String(decoding: integer, as: UTF8.self),
                        denominator: denominator)
                else { return nil }
                return (Token(value: value, start: tokenStart, end: denominatorEnd), denominatorEnd)
            }
        }
        let value = canonicalDecimal(
            negative: negative, integer: String(decoding: integer, as: UTF8.self),
            fraction: String(decoding: fraction, as: UTF8.self))
        return (Token(value: value, start: tokenStart, end: index), index)
    }

    /// Whether the number whose digits start at `digitsStart` is negative, and where its token starts.
    ///
    /// A minus is a sign only when it touches the digits (or a "$" before them) and does not follow an
    /// operand: in "16 - 3", "16-3" and "x -3" it is a subtraction, in "= -3" and "is -3" a sign.
    private static func signAndStart(_ bytes: [UInt8], digitsStart: Int) -> (Bool, Int) {
        var position = digitsStart
        if position > 0, bytes[position - 1] == UInt8(ascii: "$") { position -= 1 }
        var minusStart: Int?
        if position > 0, bytes[position - 1] == UInt8(ascii: "-") {
            minusStart = position - 1
        } else if position >= 3, bytes[(position - 3)..<position].elementsEqual([0xE2, 0x88, 0x92]) {
            minusStart = position - 3  // U+2212 MINUS SIGN
        }
        guard let minus = minusStart else { return (false, position) }
        var previous = minus - 1
        while previous >= 0, isSpace(bytes[previous]) { previous -= 1 }
        // After a number, a closing parenthesis or a one-letter variable ("x - 3") the minus subtracts;
        // after a word ("is -3") it is a sign.
        let isVariable = previous >= 0 && isLetter(bytes[previous])
            && (previous == 0 || !isLetter(bytes[previous - 1]))
        let isSubtraction = previous >= 0
            && (isDigit(bytes[previous]) || bytes[previous] == UInt8(ascii: ")") || isVariable)
        return isSubtraction ? (false, position) : (true, minus)
    }

    /// Joins an integer and a proper fraction separated by one space ("2 1/2") into one number.
    private static func mergingMixedNumbers(_ tokens: [Token], _ bytes: [UInt8]) -> [Token] {
        var merged: [Token] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if index + 1 < tokens.count, token.value.allSatisfy({ $0.isNumber || $0 == "-" }),
                tokens[index + 1].start == token.end + 1, bytes[token.end] == UInt8(ascii: " ")
            {
                let next = tokens[index + 1]
                let text = String(decoding: bytes[next.start..<next.end], as: UTF8.self)
                let parts = text.split(separator: "/")
                if parts.count == 2, let numerator = Int(parts[0]), let denominator = Int(parts[1]),
                    numerator < denominator, let whole = Int(token.value.trimmingPrefix("-")),
                    let value = fractionValue(
                        negative: token.value.hasPrefix("-"), whole: whole, numerator: String(parts[0]),
                        denominator: String(parts[1]))
                {
                    merged.append(Token(value: value, start: token.start, end: next.end))
                    index += 2
                    continue
                }
            }
            merged.append(token)
            index += 1
        }
        return merged
    }

    /// The canonical decimal of a sign and digit strings: no leading zeros, no trailing fractional zeros,
    /// no point when whole, and no sign on zero ("007.50" → "7.5", "-0" → "0").
    static func canonicalDecimal(negative: Bool, integer: String, fraction: String) -> String {
        var whole = String(integer.drop { $0 == "0" })
        if whole.isEmpty { whole = "0" }
        var fractional = fraction
        while fractional.last == "0" { fractional.removeLast() }
        let magnitude = fractional.isEmpty ? whole : "\(whole).\(fractional)"
        return negative && magnitude != "0" ? "-" + magnitude : magnitude
    }

    /// The value of `whole + numerator/denominator` as a decimal when it terminates, otherwise as a reduced
    /// fraction ("1/3"); `nil` for a zero denominator or numbers too large to reduce exactly.
    ///
    /// Terminating fractions become decimals because gold answers are decimals ("1/2" must equal "0.5");
    /// others stay fractions rather than being rounded to a decimal that would never equal a gold answer.
    static func fractionValue(negative: Bool, whole: Int, numerator: String, denominator: String) -> String? {
        guard let top = Int(numerator), let bottom = Int(denominator), bottom != 0 else { return nil }
        let (scaledWhole, overflowA) = whole.multipliedReportingOverflow(by: bottom)
        let (fullTop, overflowB) = scaledWhole.addingReportingOverflow(top)
        guard !overflowA, !overflowB else { return nil }
        let divisor = gcd(fullTop, bottom)
        let reducedTop = fullTop / divisor
        let reducedBottom = bottom / divisor
        var rest = reducedBottom
        while rest % 2 == 0 { rest /= 2 }
        while rest % 5 == 0 { rest /= 5 }
        guard rest == 1 else {
            let sign = negative && reducedTop != 0 ? "-" : ""
            return reducedBottom == 1 ? "\(sign)\(reducedTop)" : "\(sign)\(reducedTop)/\(reducedBottom)"
        }
        // Long division; a denominator of only 2s and 5s ends within as many digits as it has factors.
        let integerPart = reducedTop / reducedBottom
        var remainder = reducedTop % reducedBottom
        var digits = ""
        while remainder != 0 {
            let (tenfold, overflow) = remainder.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            digits.append(String(tenfold / reducedBottom))
            remainder = tenfold % reducedBottom
        }
        return canonicalDecimal(negative: negative, integer: String(integerPart), fraction: digits)
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (abs(a), abs(b))
        while y != 0 { (x, y) = (y, x % y) }
        return max(x, 1)
    }

    // MARK: Number words

    private static let units: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
        "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    ]
    private static let scales: [String: Int] = ["hundred": 100, "thousand": 1000, "million": 1_000_000]

    /// The value of number words at the start of `text` ("seventy-two clips" → "72",
    /// "one hundred and five" → "105"), or `nil` when it does not start with one; with `whole`, the words
    /// must be all of the text but for punctuation.
    static func wordsValue(_ text: String, whole: Bool = false) -> String? {
        let words = text.lowercased().split { !$0.isLetter }
        var total = 0
        var current = 0
        var read = 0
        for word in words {
            if let unit = units[String(word)] {
                current += unit
            } else if let scale = scales[String(word)], read > 0 {
                if scale == 100 {
                    current *= 100
                } else {
                    total += current * scale
                    current = 0
                }
            } else if word == "and", read > 0 {
                continue
            } else {
                if whole { return nil }
                break
            }
            read += 1
        }
        return read > 0 ? String(total + current) : nil
    }

    // MARK: Bytes

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 97 && (byte | 0x20) <= 122 }
    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }
}
