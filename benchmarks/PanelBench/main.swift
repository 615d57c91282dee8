import Foundation
import PanelKit

// Micro-benchmarks of Panel's hot paths, each against a target measured on a 2-core machine.
// Run with `make bench` (release build). Exits 1 when a target is missed.

struct Benchmark {
    let name: String
    let unit: String
    let target: Double
    var scale = 1.0  // units per item returned by `work` (1e6 for bytes shown as MB)
    let work: () throws -> Int  // returns items processed

    func run() throws -> (rate: Double, ok: Bool) {
        _ = try work()  // warm-up
        var best = 0.0
        for _ in 0..<3 {
            let start = ContinuousClock.now
            let units = try work()
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            best = max(best, Double(units) / scale / seconds)
        }
        return (best, best >= target)
    }
}

let sample = try String(contentsOfFile: "evals/gsm8k/kshot.jsonl", encoding: .utf8)
let lines = sample.split(separator: "\n").map(String.init)
let outputs = lines.map { line -> String in
    let json = try? JSONParser.parse(line)
    return (json?["rationale"]?.stringValue ?? "") + "\nThe answer is $\(json?["answer"]?.stringValue ?? "0")."
}
let item = TaskItem(id: "x", question: "q", answer: "72")
var sse = ""
for index in 0..<2000 {
    sse += "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token \(index) \"}}],\"object\":\"chat.completion.chunk\"}\n\n"
}
let sseData = Data(sse.utf8)
let jsonData = Data(sample.utf8)
let storePath = NSTemporaryDirectory() + "panel-bench-\(getpid()).sqlite"
defer { try? FileManager.default.removeItem(atPath: storePath) }

let benchmarks = [
    Benchmark(name: "JSON parsing", unit: "MB/s", target: 25, scale: 1e6) {
        var bytes = 0
        for _ in 0..<200 {
            for line in lines { _ = try JSONParser.parse(line) }
            bytes += jsonData.count
        }
        return bytes
    },
    Benchmark(name: "SSE parsing (split in 512-byte chunks)", unit: "MB/s", target: 50, scale: 1e6) {
        var bytes = 0
        for _ in 0..<20 {
            var parser = SSEParser()
            var offset = 0
            while offset < sseData.count {
                let end = min(offset + 512, sseData.count)
                _ = parser.feed(sseData.subdata(in: offset..<end))
                offset = end
            }
            bytes += sseData.count
        }
        return bytes
    },
    Benchmark(name: "answer extraction (GSM8K-style outputs)", unit: "outputs/s", target: 4_000) {
        let extractor = AnswerExtractor(type: .number)
        for _ in 0..<50 { for output in outputs { _ = extractor.extract(from: output, for: item) } }
        return 50 * outputs.count
    },
    Benchmark(name: "TF-IDF vectors (fit + vectorise)", unit: "documents/s", target: 3_000) {
        let documents = Array(repeating: outputs, count: 10).flatMap { $0 }
        let vectorizer = TextVectorizer().fitted(to: documents)
        _ = vectorizer.vectors(for: documents)
        return documents.count
    },
    Benchmark(name: "pairwise cosine, 200 × 4096 (OpenBLAS)", unit: "matrices/s", target: 50) {
        let vectors = TextVectorizer().fitted(to: outputs).vectors(for: Array(repeating: outputs, count: 10).flatMap { $0 })
        for _ in 0..<5 { _ = VectorMath.pairwiseCosine(vectors) }
        return 5
    },
]

var failed = false
print("benchmark                                   rate            target")
for benchmark in benchmarks {
    let (rate, ok) = try benchmark.run()
    failed = failed || !ok
    let line = benchmark.name.padding(toLength: 42, withPad: " ", startingAt: 0)
        + String(format: "%10.1f %-10@ ≥ %.0f %@", rate, benchmark.unit as NSString, benchmark.target, ok ? "ok" : "MISSED")
    print(line)
}

// The store's cache look-up sits on every deterministic call: measure it through the actor.
let store = try Store(path: storePath)
let fingerprints = (0..<2000).map { "fp-\($0)" }
for fingerprint in fingerprints {
    try await store.record(CallRecord(
        fingerprint: fingerprint, candidate: "c", operation: .generate, cacheable: true, request: ["q": "x"],
        response: ["text": "The answer is 72."]))
}
let start = ContinuousClock.now
for fingerprint in fingerprints { _ = try await store.cachedResponse(for: fingerprint) }
let elapsed = ContinuousClock.now - start
let lookups = Double(fingerprints.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
let lookupsOK = lookups >= 10_000
failed = failed || !lookupsOK
print("store cache look-ups".padding(toLength: 42, withPad: " ", startingAt: 0)
    + String(format: "%10.1f %-10@ ≥ %.0f %@", lookups, "lookups/s" as NSString, 10_000.0, lookupsOK ? "ok" : "MISSED"))
exit(failed ? 1 : 0)
