import PanelKit

/// Command-line bounds and retries of model calls, shared by every command that calls models.
struct CallPolicyOptions: Sendable {
    var policy = CallPolicy()

    static let specOptions: [CommandSpec.Option] = {
        let defaults = CallPolicy()
        return [
            .option(
                "--retries", value: "n",
                help: "Retries of a call that failed transiently (refused or reset connection, timeout, 429, 5xx), with backoff.",
                defaultValue: "\(defaults.attempts - 1)"),
            .option(
                "--call-timeout", value: "s", help: "Seconds one model call may take, retries included.",
                defaultValue: "\(Int(defaults.callDeadline.inSeconds))"),
            .option(
                "--idle-timeout", value: "s", help: "Seconds a server may stay silent mid-answer before the call fails.",
                defaultValue: "\(Int(defaults.idleTimeout.inSeconds))"),
            .option(
                "--max-prompt-bytes", value: "n", help: "Largest prompt sent; a larger one fails without a call.",
                defaultValue: "\(defaults.maxPromptBytes)"),
            .option(
                "--max-response-bytes", value: "n", help: "Largest response accepted from a server.",
                defaultValue: "\(defaults.maxResponseBytes)"),
        ]
    }()

    /// Parses `option` if it is one of these; returns false otherwise.
    mutating func parse(_ option: String, _ cursor: inout ArgumentCursor) throws(UsageError) -> Bool {
        switch option {
        case "--retries":
            let retries = try cursor.int(for: option)
            guard retries >= 0 else { throw .invalidValue(option: option, value: "\(retries)", expected: "0 or more") }
            policy.attempts = 1 + retries
        case "--call-timeout": policy.callDeadline = try Self.seconds(&cursor, option)
        case "--idle-timeout": policy.idleTimeout = try Self.seconds(&cursor, option)
        case "--max-prompt-bytes": policy.maxPromptBytes = try cursor.positiveInt(for: option)
        case "--max-response-bytes": policy.maxResponseBytes = try cursor.positiveInt(for: option)
        default: return false
        }
        return true
    }

    /// A positive number of seconds.
    static func seconds(_ cursor: inout ArgumentCursor, _ option: String) throws(UsageError) -> Duration {
        .milliseconds(Int(try cursor.double(for: option, in: 0.001...31_536_000) * 1000))
    }
}
