import Foundation
import Testing

@testable import PanelKit

/// The evaluation report: one self-contained, escaped HTML file.
@Suite struct HTMLReportTests {
    static let config: JSONValue = ["ensemble": ["path": "ensembles/gsm8k.json"], "bench": ["path": "evals/gsm8k/bench.jsonl"]]

    static func render(_ summary: EvaluationSummary = EvaluationSummaryTests.summary()) -> String {
        HTMLReport(summary: summary, config: config).render()
    }

    static func occurrences(of needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func aCompleteDocumentWithItsCharts() {
        let html = Self.render()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<html lang=\"en\">"))
        #expect(html.hasSuffix("</body></html>\n"))
        #expect(Self.occurrences(of: "<svg", in: html) == Self.occurrences(of: "</svg>", in: html))
        #expect(html.contains("<svg class=\"chart\" id=\"accuracy-bars\""))
        #expect(html.contains("<svg class=\"chart\" id=\"cost-scatter\""))
        #expect(html.contains("<svg class=\"chart\" id=\"routing-shares\""))
        #expect(Self.occurrences(of: "<table", in: html) == 2)
        #expect(html.contains("ensembles/gsm8k.json"))
        #expect(html.contains("best single candidate <b>single:a</b>"))
        // One bar per system, and the routing chart names the experts.
        #expect(Self.occurrences(of: "<rect class=\"bar\"", in: html) == 4 + 3)
        #expect(html.contains("mean experts per question (k): 2.00"))
        // The errored item shows as an error cell, not as an answer.
        #expect(html.contains("title=\"connection refused\">error</td>"))
    }

    @Test func withoutMoENoRoutingChart() {
        let summary = EvaluationSummary(
            run: "r", items: EvaluationSummaryTests.items, systems: [.ensemble(.selfMoA), .single("a")],
            outcomes: EvaluationSummaryTests.outcomes)
        let html = Self.render(summary)
        #expect(html.contains("id=\"accuracy-bars\""))
        #expect(html.contains("id=\"cost-scatter\""))
        #expect(!html.contains("routing-shares"))
    }

    /// Two baselines equally wrong at equal cost sit on one point: their names must not print over each other.
    @Test func scatterLabelsOfCoincidentPointsDoNotOverlap() throws {
        let outcomes = (1...6).flatMap { index in
            ["a", "b"].map { EvaluationSummaryTests.outcome("single:\($0)", index, correct: false) }
        }
        let summary = EvaluationSummary(
            run: "r", items: EvaluationSummaryTests.items, systems: [.single("a"), .single("b")], outcomes: outcomes)
        let html = Self.render(summary)
        let scatter = try #require(html.components(separatedBy: "id=\"cost-scatter\"").last?.components(separatedBy: "</svg>").first)
        let circles = try Regex(#"<circle class="point" cx="([0-9.]+)" cy="([0-9.]+)""#)
        let points = scatter.matches(of: circles).map { "\($0.output[1].substring ?? "")|\($0.output[2].substring ?? "")" }
        #expect(points.count == 2 && Set(points).count == 1, "\(points)")
        let labels = try Regex(#"<text x="[0-9.]+" y="([0-9.]+)" class="label">single:"#)
        let heights = scatter.matches(of: labels).compactMap { $0.output[1].substring.flatMap { Double($0) } }
        #expect(heights.count == 2)
        if heights.count == 2 { #expect(abs(heights[0] - heights[1]) >= 14, "\(heights)") }
    }

    @Test func selfContainedNoNetworkNoScript() {
        let html = Self.render()
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
    }

    @Test func itemTextIsEscaped() {
        let items = [
            TaskItem(id: "x<1>", question: "What does <script>alert(\"pwned\")</script> & co print?", answer: "1"),
        ]
        var outcome = ItemOutcome(
            system: "self-moa", item: "x<1>", position: 0, answer: "It prints <script>steal()</script>. The answer is 1.",
            extracted: "<b>1</b>", gold: "1", correct: true)
        outcome.wallMs = 10
        let summary = EvaluationSummary(run: "run<&>", items: items, systems: [.ensemble(.selfMoA)], outcomes: [outcome])
        let html = HTMLReport(summary: summary, config: ["ensemble": ["path": "a\"b<c>.json"], "bench": ["path": "b.jsonl"]]).render()
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; co"))
        #expect(html.contains("&lt;script&gt;steal()&lt;/script&gt;"))
        #expect(html.contains("&lt;b&gt;1&lt;/b&gt;"))
        #expect(!html.contains("<b>1</b>"))
        #expect(html.contains("<code>x&lt;1&gt;</code>"))
        #expect(html.contains("run&lt;&amp;&gt;"))
        #expect(html.contains("a&quot;b&lt;c&gt;.json"))
    }
}
