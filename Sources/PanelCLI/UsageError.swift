/// A mistake in how the command was invoked, as opposed to a failure while running it.
///
/// The dispatcher prints it as `error: <description>`, points at the command's help and exits with
/// ``ExitCode/usage`` (64), so scripts can tell "you called me wrong" from "the work failed".
public enum UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The word is not a subcommand at this level; `suggestion` is a close spelling, if any.
    case unknownCommand(String, suggestion: String? = nil)
    /// The option is not accepted by this command; `suggestion` is a close spelling, if any.
    ///
    /// Commands throw it from the `default:` of their option `switch` without a suggestion; the
    /// dispatcher fills one in from the command's ``CommandSpec``.
    case unknownOption(String, suggestion: String? = nil)
    /// The option needs a value but none followed it.
    case missingValue(option: String)
    /// The option's value could not be read; `expected` completes "expected …", e.g. `an integer`.
    case invalidValue(option: String, value: String, expected: String)
    /// A flag that takes no value was given one with `=`, e.g. `--json=yes`.
    case unexpectedValue(option: String, value: String)
    /// A positional argument the command does not take.
    case unexpectedArgument(String)
    /// A required positional argument, named without angle brackets, e.g. `prompt`.
    case missingArgument(String)
    /// A required option was not given.
    case missingOption(String)
    /// Two options that exclude each other were both given.
    case conflictingOptions(String, String)
    /// Any other invalid combination, with a complete lowercase message.
    case invalidUsage(String)

    /// The message after `error: `, lowercase and without a final period.
    public var description: String {
        switch self {
        case .unknownCommand(let name, let suggestion):
            "unknown command '\(name)'" + Self.hint(suggestion)
        case .unknownOption(let name, let suggestion):
            "unknown option '\(name)'" + Self.hint(suggestion)
        case .missingValue(let option):
            "missing value for '\(option)'"
        case .invalidValue(let option, let value, let expected):
            "invalid value '\(value)' for '\(option)': expected \(expected)"
        case .unexpectedValue(let option, let value):
            "option '\(option)' does not take a value (got '\(value)')"
        case .unexpectedArgument(let argument):
            "unexpected argument '\(argument)'"
        case .missingArgument(let name):
            "missing required argument '<\(name)>'"
        case .missingOption(let option):
            "missing required option '\(option)'"
        case .conflictingOptions(let first, let second):
            "'\(first)' cannot be used together with '\(second)'"
        case .invalidUsage(let message):
            message
        }
    }

    private static func hint(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? ""
    }
}
