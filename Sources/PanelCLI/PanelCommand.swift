import Foundation
import PanelKit

/// The `panel` command: dispatches to subcommands and maps errors to exit codes.
public enum PanelCommand {
    /// Runs the command line `arguments` (without the program name) and returns the exit code.
    public static func main(_ arguments: [String]) async -> Int32 {
        0
    }
}
