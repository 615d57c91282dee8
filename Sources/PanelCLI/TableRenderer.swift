import Foundation

/// Renders a ``Table`` as aligned columns for the terminal, or as a GitHub-flavoured Markdown table
/// for reports.
///
/// Widths count characters, not display cells: fine for ASCII model names and numbers, off for
/// wide CJK characters and emoji.
public struct TableRenderer: Sendable {
    /// Spaces between columns on the terminal.
    public var columnSpacing: Int
    /// Styling for the header row on the terminal (bold when enabled).
    public var headerStyle: TerminalStyle
    /// Whether a line of dashes separates the header from the rows on the terminal.
    public var showsRule: Bool

    /// Creates a renderer.
    public init(columnSpacing: Int = 2, headerStyle: TerminalStyle = .plain, showsRule: Bool = false) {
        self.columnSpacing = columnSpacing
        self.headerStyle = headerStyle
        self.showsRule = showsRule
    }

    /// The table as aligned text lines, each ending with a newline and without trailing spaces.
    ///
    /// Numeric columns are right-aligned, and cells wider than their column's `maxWidth` end in `…`.
    public func render(_ table: Table) -> String {
        let count = table.columns.count
        guard count > 0 else { return "" }
        let fit = { (text: String, column: Int) -> String in
            Self.truncate(text, to: table.columns[column].maxWidth)
        }
        let header = (0..<count).map { fit(table.columns[$0].header, $0) }
        let body = table.rows.map { row in (0..<count).map { fit(table.cell(row, $0), $0) } }
        let widths = (0..<count).map { column in
            ([header[column]] + body.map { $0[column] }).map(\.count).max() ?? 0
        }
        let alignments = (0..<count).map(table.resolvedAlignment(of:))
        let gap = String(repeating: " ", count: columnSpacing)

        func line(_ cells: [String], style: (String) -> String = { $0 }) -> String {
            let padded = cells.enumerated().map { column, text in
                let padding = String(repeating: " ", count: widths[column] - text.count)
                return alignments[column] == .right ? padding + style(text) : style(text) + padding
            }
            return String(padded.joined(separator: gap).trimmingTrailingSpaces())
        }

        var lines = [line(header, style: headerStyle.bold)]
        if showsRule {
            lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: gap))
        }
        lines += body.map { line($0) }
        return lines.map { $0 + "\n" }.joined()
    }

    /// The table in Markdown: `| a | b |` rows under an alignment row such as `|---|--:|`.
    ///
    /// Cells are escaped (`|` becomes `\|`, line breaks become `<br>`) and never truncated.
    public func renderMarkdown(_ table: Table) -> String {
        let count = table.columns.count
        guard count > 0 else { return "" }
        func line(_ cells: [String]) -> String {
            "| " + cells.map(Self.escapeMarkdown).joined(separator: " | ") + " |\n"
        }
        let alignmentRow =
            "|" + (0..<count).map { table.resolvedAlignment(of: $0) == .right ? "--:" : "---" }.joined(separator: "|")
            + "|\n"
        return line(table.columns.map(\.header)) + alignmentRow
            + table.rows.map { row in line((0..<count).map { table.cell(row, $0) }) }.joined()
    }

    /// `text` cut to `width` characters, the last being `…`, if it is longer.
    static func truncate(_ text: String, to width: Int?) -> String {
        guard let width, text.count > width else { return text }
        return width <= 1 ? String("…".prefix(width)) : text.prefix(width - 1) + "…"
    }

    /// `text` made safe inside a Markdown table cell.
    static func escapeMarkdown(_ text: String) -> String {
        text.replacingOccurrences(of: "\\|", with: "|")
            .replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>")
            .replacingOccurrences(of: "\n", with: "<br>")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> Substring {
        self[..<(lastIndex { $0 != " " }.map(index(after:)) ?? startIndex)]
    }
}
