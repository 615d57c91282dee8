import Foundation
import PanelCLI
import PanelKit
import Testing

/// Every malformed input of the corpus in `Malformed/cases.json` fails the way the README promises:
/// the documented status, one `error:` line naming the file, line and field, nothing on standard
/// output, and nothing written — run in-process through the real command table, and for a handful
/// through the built executable, which must exit rather than trap or die by a signal.
///
/// No case may reach a server: each must fail before the store is opened, so the companions' URLs
/// point at a port nobody listens on.
@Suite struct MalformedInputCorpusTests {
    @Test(arguments: MalformedCorpus.cases)
    func failsCleanlyInProcess(_ input: MalformedCase) async throws {
        let scratch = try CaseFolder(for: input)
        defer { scratch.remove() }
        let before = scratch.contents()
        let run = await runPanel(scratch.arguments)
        scratch.expectFailure(status: run.status, output: run.standardOutput, errors: run.standardError)
        #expect(scratch.contents() == before, "created \(scratch.contents().subtracting(before).sorted())")
    }

    @Test(arguments: MalformedCorpus.cases.filter(\.process))
    func failsCleanlyAsAProcess(_ input: MalformedCase) async throws {
        let scratch = try CaseFolder(for: input)
        let logs = try Folder()  // the streams go to files, which must not count as written by panel
        defer {
            scratch.remove()
            logs.remove()
        }
        let before = scratch.contents()
        let panel = try PanelProcess(scratch.arguments, folder: logs.path, name: "panel")
        let status = try await panel.wait(timeout: .seconds(120))
        #expect(panel.terminationSignal == nil, "killed by signal \(panel.terminationSignal ?? 0)")
        let errors = panel.standardError.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(errors.last == "", "standard error does not end with a newline")
        scratch.expectFailure(status: status, output: panel.standardOutput, errors: errors.dropLast())
        #expect(scratch.contents() == before, "created \(scratch.contents().subtracting(before).sorted())")
    }

    @Test func theCorpusCoversEveryKindOfMistake() throws {
        let cases = try MalformedCorpus.load()
        #expect(cases.count >= 40)
        let kinds = Dictionary(grouping: cases, by: \.kind).mapValues(\.count)
        #expect(Set(kinds.keys) == Set(MalformedCase.kinds), "\(kinds)")
        #expect(kinds.values.allSatisfy { $0 >= 10 }, "\(kinds)")
        #expect(Set(cases.map(\.testDescription)).count == cases.count, "two cases share a name")
        let statuses: [String: Set<Int32>] = ["pool": [65, 66], "task": [65, 66], "ensemble": [65, 66], "command-line": [64]]
        for input in cases {
            #expect(statuses[input.kind]?.contains(input.status) == true, "\(input.testDescription): status \(input.status)")
            #expect(input.error.hasPrefix("error: "), "\(input.testDescription)")
            if input.kind != "command-line" {
                // Data errors start with the file they are about, as `{file}:line: field:`.
                #expect(input.error.hasPrefix("error: {"), "\(input.testDescription) names no file")
            }
        }
        // Each committed file is used, and each case's file exists or is generated.
        let used = Set(cases.compactMap(\.file))
        let committed = try ["pools", "tasks", "ensembles"].flatMap { folder in
            try FileManager.default.contentsOfDirectory(atPath: MalformedCorpus.folder.appendingPathComponent(folder).path)
                .map { "\(folder)/\($0)" }
        }
        #expect(Set(committed).subtracting(used).isEmpty, "unused: \(Set(committed).subtracting(used).sorted())")
        let generated = Set(cases.filter { $0.generate != nil }.compactMap(\.file))
        #expect(used.subtracting(committed).subtracting(generated).isEmpty, "missing: \(used.subtracting(committed))")
        #expect(generated.isDisjoint(with: committed), "a generated file is also committed")
        // The child-process runs cover every kind, and the 50 MB line.
        let processKinds = Set(cases.filter(\.process).map(\.kind))
        #expect(processKinds == Set(MalformedCase.kinds))
        #expect(cases.contains { $0.process && $0.generate == "huge-line" })
    }

    @Test func theCompanionsAreValid() throws {
        // A case must fail because of its own file, not because the valid files beside it are broken.
        let scratch = try CaseFolder(for: nil)
        defer { scratch.remove() }
        let pool = try PoolLoader.load(path: scratch.placeholders["pool"]!)
        let kshot = try TaskFile.load(path: scratch.placeholders["kshot"]!)
        let spec = try EnsembleSpec.load(path: scratch.placeholders["ensemble"]!)
        #expect(try spec.checkSources(pool: pool, poolChosen: false) == nil)
        #expect(spec.demonstrations.map(\.id) == [kshot.items[0].id])
        #expect(spec.origin?.lines["pool.sha256"] == 13)
    }

    @Test func anExplicitPoolTurnsAChangedFingerprintIntoAWarning() async throws {
        // Naming the pool on the command line is a deliberate choice, so the command goes on (and here
        // fails at the servers, which nobody runs).
        let input = try #require(MalformedCorpus.cases.first { $0.file == "ensembles/pool-fingerprint-mismatch.json" })
        let scratch = try CaseFolder(for: input)
        defer { scratch.remove() }
        let pool = scratch.placeholders["pool"]!
        let run = await runPanel([
            "ask", "--ensemble", scratch.placeholders["file"]!, "--pool", pool, "--db", scratch.placeholders["db"]!,
            "What is 2+2?",
        ])
        #expect(run.status == 1, "\(run.standardError)")
        #expect(run.standardError.first == "warning: using \(pool) as --pool asks, though this ensemble was selected from an earlier version of it")
        #expect(run.standardError.last?.hasPrefix("error: no candidate of \(pool) is reachable") == true, "\(run.standardError)")
    }

    @Test func aKShotFileThatIsGoneIsNotAnError() throws {
        // The ensemble carries everything answering needs from its K-shot file.
        let input = try #require(MalformedCorpus.cases.first { $0.file == "ensembles/kshot-fingerprint-mismatch.json" })
        let scratch = try CaseFolder(for: input)
        defer { scratch.remove() }
        try FileManager.default.removeItem(atPath: scratch.placeholders["kshot"]!)
        let pool = try PoolLoader.load(path: scratch.placeholders["pool"]!)
        let spec = try EnsembleSpec.load(path: scratch.placeholders["file"]!)
        #expect(try spec.checkSources(pool: pool, poolChosen: false) == nil)
    }
}

/// One case of the corpus: a command line and how it must fail.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    /// The kinds of input the corpus covers, as `kind` spells them.
    static let kinds = ["pool", "task", "ensemble", "command-line"]

    var name: String
    var kind: String
    /// The input file, relative to the corpus folder; copied, or written by `generate`.
    var file: String?
    /// How the test makes the file instead of copying it: `invalid-utf8` or `huge-line`.
    var generate: String?
    var arguments: [String]
    var status: Int32
    /// The start of the one error line, with placeholders.
    var error: String
    /// Whether to run it through the built executable too.
    var process: Bool

    var testDescription: String { "\(kind): \(name)" }
}

/// The corpus in the source tree (excluded from the target in Package.swift, so read by path).
enum MalformedCorpus {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Malformed")

    /// The cases, or none when the manifest is broken (`theCorpusCoversEveryKindOfMistake` then says why).
    static let cases: [MalformedCase] = (try? load()) ?? []

    static func load() throws -> [MalformedCase] {
        let manifest = try JSONParser.parse(Data(contentsOf: folder.appendingPathComponent("cases.json")))
        return try (manifest["cases"]?.arrayValue ?? []).enumerated().map { index, value in
            guard let name = value["name"]?.stringValue, let kind = value["kind"]?.stringValue,
                let arguments = value["arguments"]?.arrayValue?.compactMap(\.stringValue),
                let status = value["status"]?.intValue, let error = value["error"]?.stringValue
            else { throw IntegrationSetupError(message: "cases.json: case \(index) lacks name, kind, arguments, status or error") }
            return MalformedCase(
                name: name, kind: kind, file: value["file"]?.stringValue, generate: value["generate"]?.stringValue,
                arguments: arguments, status: Int32(status), error: error, process: value["process"]?.boolValue ?? false)
        }
    }
}

/// A scratch folder laid out for one case: the valid companions in `valid/`, the case's file in
/// `input/`, and a store and an output path that must never appear.
struct CaseFolder {
    let folder: Folder
    let input: MalformedCase?
    /// Values of the `{name}` placeholders of the manifest and the copied files.
    private(set) var placeholders: [String: String]

    init(for input: MalformedCase?) throws {
        self.input = input
        folder = try Folder()
        let root = folder.path
        for sub in ["valid", "input"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: false)
        }
        placeholders = [
            "folder": root, "db": "\(root)/store/panel.sqlite", "out": "\(root)/out/ensemble.json",
            "pool": "\(root)/valid/pool.json", "kshot": "\(root)/valid/kshot.jsonl", "ensemble": "\(root)/valid/ensemble.json",
        ]
        // In this order, so the ensemble can name the others' fingerprints.
        for (name, file) in [("pool", "pool.json"), ("kshot", "kshot.jsonl"), ("ensemble", "ensemble.json")] {
            let path = try copy("companions/\(file)", to: placeholders[name]!)
            placeholders["\(name)_sha256"] = SHA256.hexDigest(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        if let file = input?.file {
            let path = "\(root)/input/\(URL(fileURLWithPath: file).lastPathComponent)"
            placeholders["file"] = path
            if let generate = input?.generate {
                try Self.generated(generate).write(to: URL(fileURLWithPath: path))
            } else {
                _ = try copy(file, to: path)
            }
        }
    }

    /// The case's command line.
    var arguments: [String] { (input?.arguments ?? []).map(expand) }

    func expand(_ text: String) -> String {
        placeholders.reduce(text) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    /// Every path under the folder, to tell what a run created.
    func contents() -> Set<String> { Set(FileManager.default.subpaths(atPath: folder.path) ?? []) }

    func remove() { folder.remove() }

    /// Checks the streams and status of a failed run against the case.
    func expectFailure(status: Int32, output: String, errors: some Collection<String>) {
        guard let input else { return }
        let expected = expand(input.error)
        let errors = Array(errors)
        #expect(status == input.status, "\(errors)")
        #expect(output.isEmpty, "standard output: \(output.prefix(500))")
        #expect(errors.first?.hasPrefix(expected) == true, "expected '\(expected)…', got \(errors)")
        #expect(errors.count == 1, "\(errors)")
        // A usage error ends with where the command's help is.
        if input.status == ExitCode.usage.rawValue {
            #expect(errors.first?.hasSuffix(" --help')") == true, "\(errors)")
        }
    }

    /// Copies a corpus file, filling in its placeholders.
    private func copy(_ file: String, to path: String) throws -> String {
        let text = try String(contentsOf: MalformedCorpus.folder.appendingPathComponent(file), encoding: .utf8)
        try expand(text).write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// Files too odd or too big to commit.
    private static func generated(_ kind: String) throws -> Data {
        let first = Data("{\"id\": \"q1\", \"question\": \"What is 2+2?\", \"answer\": \"4\"}\n".utf8)
        switch kind {
        case "invalid-utf8":
            // "Café" in Latin-1, as a file saved by the wrong editor has it.
            return first + Data("{\"id\": \"q2\", \"question\": \"Caf".utf8) + Data([0xE9])
                + Data(" prices?\", \"answer\": \"6\"}\n".utf8)
        case "huge-line":
            return first + Data("{\"id\": \"q2\", \"question\": \"".utf8)
                + Data(repeating: UInt8(ascii: "a"), count: 50 << 20) + Data("\", \"answer\": \"4\"}\n".utf8)
        default:
            throw IntegrationSetupError(message: "cases.json: unknown generator '\(kind)'")
        }
    }
}
