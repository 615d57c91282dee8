import Foundation

/// Starts and stops the local llama-servers that a pool's `launch` sections describe.
///
/// Servers run detached, one per URL (LoRA experts of one base share their server), with pid and log
/// files in `runDirectory`, so `panel pool down` in another process can stop exactly what was started.
public struct ServerLauncher: Sendable {
    /// Where pid and log files live.
    public var runDirectory: String
    /// The llama-server executable.
    public var executable: String
    /// How long to wait for a server to load its model.
    public var startTimeout: Duration = .seconds(180)

    /// A server to start: its URL, port and launch spec, and the candidates it serves.
    public struct Plan: Sendable, Equatable {
        /// The server's base URL.
        public var url: String
        /// The port it listens on.
        public var port: Int
        /// How to start it.
        public var launch: LaunchSpec
        /// The candidates it serves.
        public var candidates: [String]
        /// The name used for its pid and log files.
        public var name: String
    }

    /// What happened to one server.
    public enum Outcome: Sendable, Equatable {
        case started(pid: Int32, seconds: Double)
        case alreadyRunning(pid: Int32)
        case stopped(pid: Int32)
        case notRunning
    }

    /// Why servers could not be started.
    public enum LaunchError: Error, CustomStringConvertible, Equatable {
        case conflictingLaunch(url: String, first: String, second: String)
        case missingFile(candidate: String, path: String)
        case missingExecutable(String)
        case portInUse(url: String, candidate: String)
        case exited(name: String, logTail: String, log: String)
        case timedOut(name: String, seconds: Int, log: String)
        case spawn(String)

        public var description: String {
            switch self {
            case .conflictingLaunch(let url, let first, let second):
                "candidates '\(first)' and '\(second)' share \(url) but give different launch settings"
            case .missingFile(let candidate, let path):
                "\(candidate): \(path) does not exist (run 'make setup' to fetch the local models)"
            case .missingExecutable(let path):
                "llama-server not found at \(path) (run 'make setup', or set PANEL_LLAMA_SERVER)"
            case .portInUse(let url, let candidate):
                "\(url) (\(candidate)) is already answering but was not started by panel: stop that process or change the port"
            case .exited(let name, let tail, let log):
                "llama-server for \(name) exited during start-up; last lines of \(log):\n\(tail)"
            case .timedOut(let name, let seconds, let log):
                "llama-server for \(name) was not healthy after \(seconds) s (see \(log))"
            case .spawn(let message): message
            }
        }
    }

    /// Creates a launcher; the executable defaults to `$PANEL_LLAMA_SERVER`, else `.venv/bin/llama-server`.
    public init(runDirectory: String = ".panel/run", executable: String? = nil) {
        self.runDirectory = runDirectory
        self.executable = executable ?? ProcessInfo.processInfo.environment["PANEL_LLAMA_SERVER"] ?? ".venv/bin/llama-server"
    }

    /// The servers a pool asks for, one per URL: a candidate's replicas each get a server, and
    /// candidates sharing a URL (LoRA experts of one base) share it.
    public static func plans(for pool: Pool) throws(LaunchError) -> [Plan] {
        var plans: [Plan] = []
        for candidate in pool.candidates {
            guard let launch = candidate.launch else { continue }
            for (replica, url) in candidate.urls.enumerated() {
                guard let port = URLComponents(string: url)?.port else { continue }
                if let index = plans.firstIndex(where: { $0.url == url }) {
                    guard plans[index].launch == launch else {
                        throw .conflictingLaunch(url: url, first: plans[index].candidates[0], second: candidate.id)
                    }
                    plans[index].candidates.append(candidate.id)
                } else {
                    let name = replica == 0 ? candidate.id : "\(candidate.id)-\(replica + 1)"
                    plans.append(Plan(url: url, port: port, launch: launch, candidates: [candidate.id], name: name))
                }
            }
        }
        return plans
    }

    /// The command line that starts a planned server.
    public func arguments(for plan: Plan) -> [String] {
        var arguments = [
            "-m", plan.launch.modelFile, "--host", "127.0.0.1", "--port", String(plan.port),
            "-c", String(plan.launch.contextSize), "-np", String(plan.launch.slots), "-t", String(plan.launch.threads),
        ]
        for lora in plan.launch.loraFiles { arguments += ["--lora", lora] }
        if !plan.launch.loraFiles.isEmpty { arguments.append("--lora-init-without-apply") }
        return arguments + plan.launch.extraArguments
    }

    private func pidFile(_ plan: Plan) -> String { "\(runDirectory)/\(plan.name).pid" }
    /// The log file of a planned server.
    public func logFile(_ plan: Plan) -> String { "\(runDirectory)/\(plan.name).log" }

    private func recordedPID(_ plan: Plan) -> Int32? {
        (try? String(contentsOfFile: pidFile(plan), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Starts every planned server that is not already running and waits until all are healthy.
    /// `onEvent` is told about each server as its state changes.
    public func start(
        _ plans: [Plan], transport: any HTTPTransport, onEvent: @Sendable (Plan, Outcome) -> Void = { _, _ in }
    ) async throws -> [Outcome] {
        guard FileManager.default.isExecutableFile(atPath: executable) || !executable.contains("/") else {
            throw LaunchError.missingExecutable(executable)
        }
        for plan in plans {
            for file in [plan.launch.modelFile] + plan.launch.loraFiles where !FileManager.default.fileExists(atPath: file) {
                throw LaunchError.missingFile(candidate: plan.candidates[0], path: file)
            }
        }
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        var started: [(Plan, Int32, ContinuousClock.Instant)] = []
        var outcomes: [String: Outcome] = [:]
        for plan in plans {
            if let pid = recordedPID(plan), ChildProcess.isRunning(pid, named: "llama-server") {
                outcomes[plan.url] = .alreadyRunning(pid: pid)
                onEvent(plan, .alreadyRunning(pid: pid))
                continue
            }
            if await isHealthy(plan.url, transport: transport) {
                throw LaunchError.portInUse(url: plan.url, candidate: plan.candidates[0])
            }
            try? FileManager.default.removeItem(atPath: logFile(plan))
            let pid: Int32
            do {
                pid = try ChildProcess.spawnDetached(program: executable, arguments: arguments(for: plan), logFile: logFile(plan))
            } catch {
                throw LaunchError.spawn(error.description)
            }
            try String(pid).write(toFile: pidFile(plan), atomically: true, encoding: .utf8)
            started.append((plan, pid, ContinuousClock.now))
        }
        // Servers load concurrently; wait for each in turn.
        for (plan, pid, since) in started {
            let deadline = since + startTimeout
            while true {
                if await isHealthy(plan.url, transport: transport) { break }
                guard ChildProcess.isRunning(pid, named: "llama-server") else {
                    try? FileManager.default.removeItem(atPath: pidFile(plan))
                    throw LaunchError.exited(name: plan.name, logTail: logTail(plan), log: logFile(plan))
                }
                guard ContinuousClock.now < deadline else {
                    await ChildProcess.stop(pid, named: "llama-server")
                    try? FileManager.default.removeItem(atPath: pidFile(plan))
                    throw LaunchError.timedOut(
                        name: plan.name, seconds: Int(startTimeout.components.seconds), log: logFile(plan))
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            let outcome = Outcome.started(pid: pid, seconds: milliseconds(since: since) / 1000)
            outcomes[plan.url] = outcome
            onEvent(plan, outcome)
        }
        return plans.compactMap { outcomes[$0.url] }
    }

    /// Stops every planned server that has a pid file, and removes the pid files.
    public func stop(_ plans: [Plan]) async -> [Outcome] {
        var outcomes: [Outcome] = []
        for plan in plans {
            guard let pid = recordedPID(plan), ChildProcess.isRunning(pid, named: "llama-server") else {
                try? FileManager.default.removeItem(atPath: pidFile(plan))
                outcomes.append(.notRunning)
                continue
            }
            await ChildProcess.stop(pid, named: "llama-server")
            try? FileManager.default.removeItem(atPath: pidFile(plan))
            outcomes.append(.stopped(pid: pid))
        }
        return outcomes
    }

    private func isHealthy(_ url: String, transport: any HTTPTransport) async -> Bool {
        let request = HTTPRequest(url: url + "/health", connectTimeout: .seconds(1), idleTimeout: .seconds(5))
        guard let body = try? await transport.send(request), let json = try? JSONParser.parse(body) else { return false }
        return json["status"]?.stringValue == "ok"
    }

    private func logTail(_ plan: Plan) -> String {
        let text = (try? String(contentsOfFile: logFile(plan), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(8).map { "  " + $0 }.joined(separator: "\n")
    }
}
