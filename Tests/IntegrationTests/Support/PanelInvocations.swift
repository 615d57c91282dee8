import Foundation
import PanelCLI
import PanelKit
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A writer that keeps every piece written, so a test can tell a streamed answer from one printed whole.
final class RecordingOutput: TextOutput {
    private let pieces = Mutex<[String]>([])
    func write(_ text: String) { pieces.withLock { $0.append(text) } }
    var writes: [String] { pieces.withLock { $0 } }
    var text: String { writes.joined() }
}

/// What one in-process `panel` invocation printed, piece by piece.
struct RecordedRun {
    var status: Int32
    var standardOutput: RecordingOutput
    var standardError: String

    /// Standard output parsed as JSON.
    func json() throws -> JSONValue {
        do {
            return try JSONParser.parse(standardOutput.text)
        } catch {
            throw IntegrationSetupError(
                message: "stdout is not JSON (\(error)); status \(status)\nstdout: \(standardOutput.text.prefix(2000))\nstderr: \(standardError.suffix(4000))")
        }
    }
}

/// Runs `panel` in-process with the real command table, recording both streams.
func runPanelRecording(_ arguments: [String]) async -> RecordedRun {
    let output = RecordingOutput()
    let errors = RecordingOutput()
    let dispatcher = Dispatcher(root: PanelCommand.dispatcher.root, version: PanelCommand.version, handlesSignals: false)
    let status = await dispatcher.run(
        arguments, console: Console(standardOutput: output, standardError: errors), environment: [:])
    return RecordedRun(status: status.rawValue, standardOutput: output, standardError: errors.text)
}

/// The built `panel` executable running as a child process, its streams going to files so a test can
/// read them while it runs (and after it was killed).
final class PanelProcess: @unchecked Sendable {
    /// `panel` next to the test bundle, where `swift build` and `swift test` put it.
    static var executable: String { PanelProcessTests.executable }

    let process = Process()
    let outputPath: String
    let errorPath: String

    /// Starts `panel arguments`, writing its streams to files named after `name` in `folder`, with
    /// `environment` added to the test process's.
    init(_ arguments: [String], folder: String, name: String, environment extra: [String: String] = [:]) throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.executable),
            "no panel executable at \(Self.executable): run 'swift build --build-tests' first")
        outputPath = "\(folder)/\(name).stdout"
        errorPath = "\(folder)/\(name).stderr"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["PANEL_DB"] = nil
        environment["NO_COLOR"] = "1"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }
    var standardOutput: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Sends SIGKILL: the process gets no chance to clean up, as after a power cut or the OOM killer.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the process to exit, at most `timeout`; kills it if it does not. Returns its status.
    @discardableResult
    func wait(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill()
                process.waitUntilExit()
                throw IntegrationSetupError(
                    message: "panel did not finish within \(timeout); killed it. stderr:\n\(standardError.suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Whether the process was ended by a signal, and which.
    var terminationSignal: Int32? {
        process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
    }

    deinit { kill() }
}
