import Foundation
import PanelKit

/// Shared pieces of the commands that work with a pool: locating the pool file, the store and the transport.
enum CommandSupport {
    /// The `--db` option, shared by every command that uses the store.
    static let databaseOption = CommandSpec.Option.option(
        "--db", value: "file", help: "The SQLite store. (default: $PANEL_DB, else .panel/panel.sqlite)")

    /// The `--pool` option.
    static let poolOption = CommandSpec.Option.option(
        "--pool", value: "file", help: "The pool file.", defaultValue: "pools/local.json")

    /// The pool file given by `--pool` or as the one positional argument, defaulting to `pools/local.json`.
    static func poolPath(option: String?, cursor: inout ArgumentCursor) throws(UsageError) -> String {
        guard !cursor.positionals.isEmpty else { return option ?? "pools/local.json" }
        let positional = try cursor.nextPositional(named: "pool-file")
        if option != nil { throw .conflictingOptions("--pool", "<pool-file>") }
        return positional
    }

    /// Opens the store at `--db`, `$PANEL_DB` or the default path.
    static func openStore(_ path: String?, environment: [String: String]) throws -> Store {
        let chosen = path ?? environment["PANEL_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? ".panel/panel.sqlite"
        return try Store(path: chosen)
    }

    /// The transport every command uses.
    static func transport() -> any HTTPTransport { CurlTransport() }

    /// Formats a double with `digits` decimals, or a dash for `nil`.
    static func format(_ value: Double?, digits: Int = 2) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    /// Writes a report file atomically, creating its folder first (as `evaluate --report` does).
    static func write(_ text: String, to path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// "yes"/"no" for tables.
    static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

    /// Warns about candidates that cannot be used, and fails when none can.
    static func reportUnusable(_ session: PoolSession, console: Console) throws {
        for (id, reason) in session.unusable { console.warn("\(id) is left out: \(reason)") }
        for probe in session.probes where probe.reachable && probe.error == nil {
            for warning in probe.warnings { console.warn("\(probe.candidateID): \(warning)") }
        }
        if session.clients.isEmpty {
            throw CommandFailure("no candidate of \(session.pool.path) is reachable (start them with 'panel pool up \(session.pool.path)')")
        }
    }
}

/// A command failure with a message for the user.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
