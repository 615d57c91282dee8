import Foundation
import PanelKit

/// The process exit status, following BSD `sysexits.h` where a convention exists.
///
/// | Code | Meaning |
/// |-----:|---------|
/// | 0    | success |
/// | 1    | the work failed (server down, evaluation error, …) |
/// | 64   | usage error: bad subcommand, option or value |
/// | 65   | bad data in an input file (``PanelKit/DataFileError``) |
/// | 66   | an input file does not exist |
/// | 130  | interrupted by Ctrl-C (128 + SIGINT, as shells report it) |
/// | 143  | stopped by SIGTERM (128 + SIGTERM) |
public struct ExitCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric status handed to `exit`.
    public var rawValue: Int32

    /// Creates an exit code from its numeric status.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Creates an exit code from its numeric status.
    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Everything went well.
    public static let success = ExitCode(0)
    /// The work failed for a reason other than those below.
    public static let failure = ExitCode(1)
    /// The command line was wrong (`EX_USAGE`).
    public static let usage = ExitCode(64)
    /// An input file was malformed (`EX_DATAERR`).
    public static let dataError = ExitCode(65)
    /// An input file was missing or unreadable (`EX_NOINPUT`).
    public static let noInput = ExitCode(66)
    /// The user interrupted the command (Ctrl-C).
    public static let interrupted = ExitCode(128 + SIGINT)

    /// The command was stopped by `signal`: 128 + its number, as shells report it.
    public static func interrupted(by signal: Int32) -> ExitCode { ExitCode(128 + signal) }

    /// The number, as the shell shows it in `$?`.
    public var description: String { String(rawValue) }
}

extension ExitCode {
    /// The exit code for a command that failed with `error`.
    ///
    /// This is the single place that maps errors to statuses: when a new error type needs its own
    /// status, add a `case` here rather than mapping it in a command. Unlisted errors mean failure.
    public init(for error: any Error) {
        switch error {
        case is UsageError:
            self = .usage
        case let error as DataFileError where error.line == 0 && !FileManager.default.fileExists(atPath: error.file):
            self = .noInput  // the loaders report a missing input file as a data-file error without a line
        case is DataFileError:
            self = .dataError
        case is CancellationError:
            self = .interrupted
        case let error as CocoaError where [.fileReadNoSuchFile, .fileNoSuchFile].contains(error.code):
            self = .noInput
        case let error as POSIXError where error.code == .ENOENT:
            self = .noInput
        default:
            self = .failure
        }
    }
}
