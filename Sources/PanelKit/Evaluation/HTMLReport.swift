import Foundation

/// A self-contained HTML report of an evaluation: inline CSS and SVG, no script, no network.
public struct HTMLReport: Sendable {
    /// The statistics to show.
    public var summary: EvaluationSummary
    /// The evaluation's configuration.
    public var config: JSONValue

    /// Creates a report.
    public init(summary: EvaluationSummary, config: JSONValue) {
        self.summary = summary
        self.config = config
    }

    /// The whole document.
    public func render() -> String {
        let ensemble = config["ensemble"]?["path"]?.stringValue ?? ""
        let bench = config["bench"]?["path"]?.stringValue ?? ""
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Panel evaluation \(escape(summary.run))</title>
            <style>\(Self.css)</style></head><body>
            <h1>Panel evaluation</h1>
            <p class="meta">run <code>\(escape(summary.run))</code> · ensemble <code>\(escape(ensemble))</code> · bench <code>\(escape(bench))</code> · \(summary.items.count) items\(summary.bestSingle.map { " · best single candidate <b>\(escape($0))</b>" } ?? "")</p>

            """
        html += section("Accuracy", accuracyBars())
        html += section("Accuracy versus cost", scatter())
        if let moe = summary.systems.first(where: { !$0.routingShares.isEmpty }) {
            html += section("MoE routing shares", routingBars(moe))
        }
        html += section("Systems", summaryTable())
        html += section("Per item", itemTable())
        html += "<footer>Intervals: 95% Wilson score for accuracies, 95% paired percentile bootstrap over items for differences; p: exact McNemar against the best single candidate. Calls per item count requests sent or served from Panel's cache.</footer>\n</body></html>\n"
        return html
    }

    private func section(_ title: String, _ body: String) -> String {
        "<section><h2>\(escape(title))</h2>\n\(body)\n</section>\n"
    }

    private func color(_ index: Int, _ name: String) -> String {
        name.hasPrefix("single:") ? "#9aa5b1" : ["#2b6cb0", "#2f855a", "#b7791f", "#6b46c1", "#c53030"][index % 5]
    }

    private func accuracyBars() -> String {
        let rowHeight = 30.0
        let left = 170.0
        let width = 460.0
        let height = Double(summary.systems.count) * rowHeight + 30
        var svg = "<svg class=\"chart\" id=\"accuracy-bars\" width=\"\(Int(left + width + 80))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"accuracy per system with 95% intervals\">\n"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let x = left + tick * width
            svg += "<line x1=\"\(x)\" y1=\"0\" x2=\"\(x)\" y2=\"\(height - 20)\" class=\"grid\"/><text x=\"\(x)\" y=\"\(height - 5)\" class=\"tick\" text-anchor=\"middle\">\(Int(tick * 100))%</text>\n"
        }
        for (index, system) in summary.systems.enumerated() {
            let y = Double(index) * rowHeight + 6
            let barWidth = max(1, system.accuracy * width)
            svg += "<text x=\"\(left - 8)\" y=\"\(y + 14)\" text-anchor=\"end\" class=\"label\">\(escape(system.name))</text>\n"
            svg += "<rect class=\"bar\" x=\"\(left)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"18\" fill=\"\(color(index, system.name))\"><title>\(escape(system.name)): \(percent(system.accuracy))</title></rect>\n"
            let lo = left + system.interval.lower * width
            let hi = left + system.interval.upper * width
            svg += "<line class=\"whisker\" x1=\"\(lo)\" y1=\"\(y + 9)\" x2=\"\(hi)\" y2=\"\(y + 9)\"/><line class=\"whisker\" x1=\"\(lo)\" y1=\"\(y + 3)\" x2=\"\(lo)\" y2=\"\(y + 15)\"/><line class=\"whisker\" x1=\"\(hi)\" y1=\"\(y + 3)\" x2=\"\(hi)\" y2=\"\(y + 15)\"/>\n"
            svg += "<text x=\"\(left + width + 8)\" y=\"\(y + 14)\" class=\"value\">\(percent(system.accuracy))</text>\n"
        }
        return svg + "</svg>"
    }

    private func scatter() -> String {
        let width = 560.0
        let height = 320.0
        let pad = 50.0
        let maxCost = Self.niceCeiling(max(summary.systems.map(\.tokensPerItem).max() ?? 1, 1) * 1.05)
        var svg = "<svg class=\"chart\" id=\"cost-scatter\" width=\"\(Int(width + pad * 2))\" height=\"\(Int(height + pad * 1.5))\" role=\"img\" aria-label=\"accuracy versus tokens per item\">\n"
        svg += "<line x1=\"\(pad)\" y1=\"\(height)\" x2=\"\(pad + width)\" y2=\"\(height)\" class=\"axis\"/><line x1=\"\(pad)\" y1=\"10\" x2=\"\(pad)\" y2=\"\(height)\" class=\"axis\"/>\n"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let y = height - tick * (height - 10)
            svg += "<text x=\"\(pad - 6)\" y=\"\(y + 4)\" class=\"tick\" text-anchor=\"end\">\(Int(tick * 100))%</text><line x1=\"\(pad)\" y1=\"\(y)\" x2=\"\(pad + width)\" y2=\"\(y)\" class=\"grid\"/>\n"
        }
        for step in 0...4 {
            let value = maxCost * Double(step) / 4
            let x = pad + width * Double(step) / 4
            svg += "<text x=\"\(x)\" y=\"\(height + 18)\" class=\"tick\" text-anchor=\"middle\">\(Int(value))</text>\n"
        }
        svg += "<text x=\"\(pad + width / 2)\" y=\"\(height + 40)\" class=\"label\" text-anchor=\"middle\">tokens per item (in + out)</text>\n"
        var labels = LabelPlacer(top: 12, bottom: height + 30)
        for (index, system) in summary.systems.enumerated() {
            let x = pad + system.tokensPerItem / maxCost * width
            let y = height - system.accuracy * (height - 10)
            let labelY = labels.place(x: x + 9, y: y - 7, width: Double(system.name.count) * 6.5)
            svg += "<circle class=\"point\" cx=\"\(x)\" cy=\"\(y)\" r=\"6\" fill=\"\(color(index, system.name))\"><title>\(escape(system.name)): \(percent(system.accuracy)), \(Int(system.tokensPerItem)) tokens/item</title></circle><text x=\"\(x + 9)\" y=\"\(labelY)\" class=\"label\">\(escape(system.name))</text>\n"
        }
        return svg + "</svg>"
    }

    /// Moves point labels apart: systems of equal accuracy and cost (two baselines at 0%, say) would
    /// print their names over each other.
    private struct LabelPlacer {
        let top: Double
        let bottom: Double
        private var placed: [(x: Double, y: Double, width: Double)] = []
        private static let lineHeight = 14.0

        init(top: Double, bottom: Double) {
            self.top = top
            self.bottom = bottom
        }

        /// The baseline for a label at (`x`, `y`) that overlaps no label placed before: the nearest free
        /// line above it, or below it when there is no room above.
        mutating func place(x: Double, y: Double, width: Double) -> Double {
            func free(_ candidate: Double) -> Bool {
                !placed.contains { abs($0.y - candidate) < Self.lineHeight && x < $0.x + $0.width && $0.x < x + width }
            }
            let upward = stride(from: y, through: top, by: -Self.lineHeight)
            let downward = stride(from: y + Self.lineHeight, through: bottom, by: Self.lineHeight)
            let chosen = upward.first(where: free) ?? downward.first(where: free) ?? y
            placed.append((x, chosen, width))
            return chosen
        }
    }

    private func routingBars(_ system: SystemSummary) -> String {
        let width = 420.0
        var svg = "<svg class=\"chart\" id=\"routing-shares\" width=\"\(Int(width + 260))\" height=\"\(system.routingShares.count * 28 + 10)\" role=\"img\" aria-label=\"share of answers per expert\">\n"
        for (index, share) in system.routingShares.enumerated() {
            let y = Double(index) * 28 + 4
            svg += "<text x=\"190\" y=\"\(y + 14)\" text-anchor=\"end\" class=\"label\">\(escape(share.expert))</text><rect class=\"bar\" x=\"200\" y=\"\(y)\" width=\"\(max(1, share.share * width))\" height=\"18\" fill=\"#6b46c1\"/><text x=\"\(208 + share.share * width)\" y=\"\(y + 14)\" class=\"value\">\(percent(share.share))</text>\n"
        }
        svg += "</svg>"
        if let k = system.meanK { svg += "<p>mean experts per question (k): \(String(format: "%.2f", k))</p>" }
        return svg
    }

    private func summaryTable() -> String {
        var rows = "<table><thead><tr><th>system</th><th>accuracy</th><th>95% CI</th><th>Δ vs best single</th><th>p</th><th>calls/item</th><th>tokens/item</th><th>p50 s</th><th>p95 s</th><th>errors</th></tr></thead><tbody>\n"
        for system in summary.systems {
            let delta = system.versusBest.map { "\(signedPercent($0.difference)) [\(signedPercent($0.interval.lower)), \(signedPercent($0.interval.upper))]" } ?? "–"
            let p = system.versusBest.map { String(format: "%.3f", $0.pValue) } ?? "–"
            rows += "<tr><td>\(escape(system.name))</td><td>\(system.correct)/\(summary.items.count) (\(percent(system.accuracy)))</td><td>\(percent(system.interval.lower))–\(percent(system.interval.upper))</td><td>\(delta)</td><td>\(p)</td><td>\(String(format: "%.1f", system.callsPerItem))</td><td>\(Int(system.tokensPerItem))</td><td>\(String(format: "%.1f", system.wallP50))</td><td>\(String(format: "%.1f", system.wallP95))</td><td class=\"\(system.errors > 0 ? "bad" : "")\">\(system.errors)</td></tr>\n"
        }
        return rows + "</tbody></table>"
    }

    private func itemTable() -> String {
        var rows = "<div class=\"scroll\"><table class=\"items\"><thead><tr><th>item</th><th>question</th><th>gold</th>"
        for system in summary.systems { rows += "<th>\(escape(system.name))</th>" }
        rows += "</tr></thead><tbody>\n"
        for item in summary.items {
            let gold = summary.outcomes.values.lazy.compactMap { $0[item.id]?.gold }.first ?? item.answer
            rows += "<tr><td><code>\(escape(item.id))</code></td><td class=\"q\">\(escape(String(item.question.prefix(140))))</td><td>\(escape(gold))</td>"
            for system in summary.systems {
                guard let outcome = summary.outcomes[system.name]?[item.id] else {
                    rows += "<td class=\"missing\">–</td>"
                    continue
                }
                if let error = outcome.error {
                    rows += "<td class=\"bad\" title=\"\(escape(error))\">error</td>"
                } else {
                    rows += "<td class=\"\(outcome.correct ? "ok" : "bad")\" title=\"\(escape(String(outcome.answer.suffix(300))))\">\(escape(outcome.extracted ?? "unparsable"))</td>"
                }
            }
            rows += "</tr>\n"
        }
        return rows + "</tbody></table>"
    }

    /// The smallest 1, 2, 2.5 or 5 × 10^k at or above `value`, so axis ticks fall on round numbers.
    static func niceCeiling(_ value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        return ([1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= value }) ?? value
    }

    private func percent(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
    private func signedPercent(_ x: Double) -> String { String(format: "%+.0f%%", x * 100) }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#1a202c;padding:0 1rem}
        h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #e2e8f0;padding-bottom:.3rem}
        .meta{color:#4a5568}code{font-size:.92em}
        table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #edf2f7;text-align:left;vertical-align:top}
        th{background:#f7fafc;position:sticky;top:0}td.ok{background:#f0fff4;color:#22543d}td.bad{background:#fff5f5;color:#742a2a}
        td.missing{color:#a0aec0}td.q{min-width:260px;max-width:420px;color:#4a5568}.scroll{overflow-x:auto}
        .chart text{font-size:12px;fill:#2d3748}.chart .tick{fill:#718096;font-size:11px}.grid{stroke:#edf2f7}.axis{stroke:#a0aec0}
        .whisker{stroke:#1a202c;stroke-width:1.5}footer{margin-top:2rem;color:#718096;font-size:12px}
        """
}
