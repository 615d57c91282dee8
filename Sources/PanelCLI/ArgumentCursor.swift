import Foundation

/// Walks a command's arguments one option at a time, collecting positionals on the way.
///
/// A command's `init(parsing:)` drives it with a `switch` over option names, so the accepted options
/// and their meaning sit in one place and unknown ones fall to `default:`:
///
/// ```swift
/// while let option = try cursor.nextOption() {
///     switch option {
///     case "-m", "--model": models.append(try cursor.value(for: option))
///     case "-j", "--parallel": parallel = try cursor.positiveInt(for: option)
///     case "--json": json = true
///     default: throw .unknownOption(option)
///     }
/// }
/// let prompt = try cursor.nextPositional(named: "prompt")
/// ```
///
/// Both `--name value` and `--name=value` work for long options, `-n value` for short ones. `--` ends
/// option parsing (everything after it is positional), and a lone `-` is a value (conventionally stdin).
/// A value given with `=` that the command never reads, as in `--json=yes`, is reported as
/// ``UsageError/unexpectedValue(option:value:)`` by the next call to ``nextOption()``.
public struct ArgumentCursor: Sendable {
    private var remaining: ArraySlice<String>
    private var pendingValue: (option: String, value: String)?
    /// Positional arguments seen so far, in order, minus those taken by ``nextPositional(named:)``.
    public private(set) var positionals: [String] = []

    /// Creates a cursor over `arguments`, which excludes the program and subcommand names.
    public init(_ arguments: [String]) {
        remaining = arguments[...]
    }

    /// Whether every argument has been read and every positional taken.
    public var isAtEnd: Bool {
        remaining.isEmpty && positionals.isEmpty && pendingValue == nil
    }

    /// The next option's name as written (`--model`, `-m`), or `nil` once the arguments are exhausted.
    ///
    /// Positionals met on the way are appended to ``positionals``.
    /// - Throws: ``UsageError/unexpectedValue(option:value:)`` if the previous option was given an
    ///   `=value` that the caller did not read, i.e. it is a flag.
    public mutating func nextOption() throws(UsageError) -> String? {
        try rejectUnreadValue()
        while let argument = remaining.popFirst() {
            if argument == "--" {
                positionals.append(contentsOf: remaining)
                remaining = []
                return nil
            }
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                let option = String(argument[..<equals])
                pendingValue = (option, String(argument[argument.index(after: equals)...]))
                return option
            }
            if Self.isOption(argument) {
                return argument
            }
            positionals.append(argument)
        }
        return nil
    }

    /// The value of `option`: the part after `=`, or else the next argument.
    ///
    /// - Throws: ``UsageError/missingValue(option:)`` when no argument follows or the next one is
    ///   itself an option. A lone `-` and negative numbers such as `-0.5` count as values.
    public mutating func value(for option: String) throws(UsageError) -> String {
        if let pending = pendingValue, pending.option == option {
            pendingValue = nil
            return pending.value
        }
        guard let next = remaining.first, next != "--", !Self.isOption(next) else {
            throw .missingValue(option: option)
        }
        remaining.removeFirst()
        return next
    }

    /// Takes the first positional argument.
    ///
    /// Call it after the option loop, once every positional has been collected.
    /// - Parameter name: The argument's name without angle brackets, for the error message.
    /// - Throws: ``UsageError/missingArgument(_:)`` when there is none left.
    public mutating func nextPositional(named name: String) throws(UsageError) -> String {
        guard !positionals.isEmpty else { throw .missingArgument(name) }
        return positionals.removeFirst()
    }

    /// Takes all remaining positional arguments, for commands that accept a variable number.
    public mutating func remainingPositionals() -> [String] {
        defer { positionals = [] }
        return positionals
    }

    /// Checks that nothing is left over: reads any options the command never asked for and fails on
    /// the first one, then fails on any positional it did not take.
    ///
    /// The dispatcher calls this after `init(parsing:)`, so a command that takes no options or
    /// arguments needs no parsing code at all.
    public mutating func verifyFullyConsumed() throws(UsageError) {
        if let option = try nextOption() {
            throw .unknownOption(option)
        }
        if let extra = positionals.first {
            throw .unexpectedArgument(extra)
        }
    }

    private mutating func rejectUnreadValue() throws(UsageError) {
        if let pending = pendingValue {
            pendingValue = nil
            throw .unexpectedValue(option: pending.option, value: pending.value)
        }
    }

    /// Whether `argument` is written like an option rather than a value.
    static func isOption(_ argument: String) -> Bool {
        guard argument.hasPrefix("-"), argument.count > 1 else { return false }
        // `-3` and `-0.5` are values, so options may take negative numbers.
        let second = argument[argument.index(after: argument.startIndex)]
        return !(second.isNumber || second == ".")
    }
}

extension ArgumentCursor {
    /// The value of `option` as an integer.
    public mutating func int(for option: String) throws(UsageError) -> Int {
        let text = try value(for: option)
        guard let number = Int(text) else {
            throw .invalidValue(option: option, value: text, expected: "an integer")
        }
        return number
    }

    /// The value of `option` as an integer greater than zero, e.g. a count or a parallelism.
    public mutating func positiveInt(for option: String) throws(UsageError) -> Int {
        let text = try value(for: option)
        guard let number = Int(text), number > 0 else {
            throw .invalidValue(option: option, value: text, expected: "a positive integer")
        }
        return number
    }

    /// The value of `option` as a finite number.
    public mutating func double(for option: String) throws(UsageError) -> Double {
        let text = try value(for: option)
        guard let number = Double(text), number.isFinite else {
            throw .invalidValue(option: option, value: text, expected: "a number")
        }
        return number
    }

    /// The value of `option` as a number within `range`, e.g. a temperature in `0...2`.
    public mutating func double(for option: String, in range: ClosedRange<Double>) throws(UsageError) -> Double {
        let text = try value(for: option)
        guard let number = Double(text), range.contains(number) else {
            let expected = "a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
            throw .invalidValue(option: option, value: text, expected: expected)
        }
        return number
    }

    /// The value of `option`, which must be one of `allowed`.
    public mutating func choice(for option: String, from allowed: [String]) throws(UsageError) -> String {
        let text = try value(for: option)
        guard allowed.contains(text) else {
            throw .invalidValue(option: option, value: text, expected: Self.oneOf(allowed))
        }
        return text
    }

    /// The value of `option` as a case of a string-backed enum, e.g. `--format text|json|markdown`.
    public mutating func value<Choice>(for option: String, as type: Choice.Type) throws(UsageError) -> Choice
    where Choice: RawRepresentable & CaseIterable, Choice.RawValue == String {
        let text = try value(for: option)
        guard let choice = Choice(rawValue: text) else {
            throw .invalidValue(option: option, value: text, expected: Self.oneOf(Choice.allCases.map(\.rawValue)))
        }
        return choice
    }

    /// The value of `option` split at commas, with surrounding spaces and empty items dropped.
    ///
    /// - Throws: ``UsageError/invalidValue(option:value:expected:)`` when no item remains.
    public mutating func list(for option: String) throws(UsageError) -> [String] {
        let text = try value(for: option)
        let items = text.split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !items.isEmpty else {
            throw .invalidValue(option: option, value: text, expected: "a comma-separated list")
        }
        return items
    }

    private static func oneOf(_ allowed: [String]) -> String {
        "one of " + allowed.map { "'\($0)'" }.joined(separator: ", ")
    }

    private static func format(_ number: Double) -> String {
        abs(number) < 1e15 && number == number.rounded() ? String(Int(number)) : String(number)
    }
}
