import Foundation
import PanelKit
import Testing

/// Small task files drawn from the shared benchmarks in `evals/`, and the selections several
/// end-to-end tests share.
enum TaskFiles {
    /// Six GSM8K K-shot items with short questions; Qwen answers gsm8k_train-714 right, SmolLM2 none
    /// (greedy, 256 tokens, measured while writing these tests).
    static let gsm8kKShot = [
        "gsm8k_train-714", "gsm8k_train-2293", "gsm8k_train-2746", "gsm8k_train-1025", "gsm8k_train-2869",
        "gsm8k_train-6255",
    ]

    /// A mixed K-shot file: three arithmetic items (Qwen answers gsm8k_train-5098 and -345 right,
    /// SmolLM2 none) and four ARC-Easy multiple-choice items (SmolLM2 answers all four right, Qwen only
    /// arc_easy-330), interleaved; measured greedy with 256 tokens while writing these tests. So the
    /// experts are right on different kinds of question, and SmolLM2 is the more accurate overall.
    static let mixedKShot = [
        "arc_easy-596", "gsm8k_train-5098", "arc_easy-330", "gsm8k_train-345", "arc_easy-1515", "gsm8k_train-7187",
        "arc_easy-53",
    ]

    /// The six GSM8K test items with the shortest questions.
    static let gsm8kBench = ["gsm8k-1065", "gsm8k-799", "gsm8k-95", "gsm8k-828", "gsm8k-452", "gsm8k-440"]

    /// A GSM8K test question that is not in any K-shot file (answer 60).
    static let arithmeticQuestion =
        "Mulan has $40. Her father gave her $100. She buys two pairs of jeans at $30 each and a bag for $20. How much money does Mulan have left?"

    /// An ARC-Easy test question with its choices (answer B), as `panel ask` reads a JSON question.
    static let multipleChoiceQuestion =
        #"{"question": "What causes sound?", "choices": ["sunlight", "vibrations", "x-rays", "pitch"]}"#

    /// The lines of `evals/<set>/<file>` with these ids, in the order given, verbatim.
    static func lines(_ ids: [String], from files: [String]) throws -> String {
        var byID: [String: String] = [:]
        for file in files {
            let path = LocalModels.root.appendingPathComponent("evals/\(file)").path
            for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
                let json = try JSONParser.parse(String(line))
                if let id = json["id"]?.stringValue { byID[id] = String(line) }
            }
        }
        let lines = try ids.map { id in try #require(byID[id], "\(id) is not in \(files)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A `panel select-experts` run whose result several tests use.
struct Selection: Sendable {
    /// The arguments it ran with (a rerun with them must be served from the store).
    var arguments: [String]
    /// Its `--json` document.
    var json: JSONValue
    /// The ensemble file it wrote.
    var ensemble: String
    /// The store it used.
    var database: String
    /// The pool file it used.
    var pool: String
    /// The K-shot file.
    var kshot: String
}

extension LlamaServers {
    /// Runs `panel select-experts` on `kshot` (a file name in the temporary folder) over `models` and returns
    /// the result, failing with both streams when it fails.
    func select(
        _ models: [LocalModel], kshot: String, database: String, out: String, extra: [String] = []
    ) async throws -> Selection {
        let pool = try poolFile(models)
        let arguments = [
            "select-experts", "--pool", pool, "--kshot", kshot, "--max-tokens", "256", "--db", database, "--out", out,
            "--json",
        ] + extra
        let run = await runPanelRecording(arguments)
        try #require(run.status == 0, "select-experts failed (\(run.status)): \(run.standardError.suffix(4000))")
        return Selection(arguments: arguments, json: try run.json(), ensemble: out, database: database, pool: pool, kshot: kshot)
    }

    /// SmolLM2 and Qwen selected on the six GSM8K K-shot items (made once per suite).
    func gsm8kSelection() async throws -> Selection {
        try await shared.value("GSM8K selection") {
            let kshot = try self.write("gsm8k-kshot.jsonl", try TaskFiles.lines(TaskFiles.gsm8kKShot, from: ["gsm8k/kshot.jsonl"]))
            return try await self.select(
                [.smol, .qwen], kshot: kshot, database: "\(self.folder)/stores/gsm8k.sqlite",
                out: "\(self.folder)/ensembles/gsm8k.json")
        }
    }

    /// SmolLM2 and Qwen selected on the mixed K-shot file (made once per suite).
    func mixedSelection() async throws -> Selection {
        try await shared.value("mixed selection") {
            let kshot = try self.write(
                "mixed-kshot.jsonl",
                try TaskFiles.lines(TaskFiles.mixedKShot, from: ["mixed/kshot.jsonl", "arc_easy/kshot.jsonl"]))
            return try await self.select(
                [.smol, .qwen], kshot: kshot, database: "\(self.folder)/stores/mixed.sqlite",
                out: "\(self.folder)/ensembles/mixed.json", extra: ["--aggregator-trials", "2"])
        }
    }

    /// The six-item GSM8K bench file.
    func gsm8kBench() throws -> String {
        try write("gsm8k-bench.jsonl", try TaskFiles.lines(TaskFiles.gsm8kBench, from: ["gsm8k/test.jsonl"]))
    }
}

extension JSONValue {
    /// The strings of an array value.
    var stringList: [String] { arrayValue?.compactMap(\.stringValue) ?? [] }
}
