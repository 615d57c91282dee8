import Foundation

/// Rows of text under named columns, rendered by ``TableRenderer`` for the terminal or as Markdown.
///
/// Cells are already-formatted strings: the caller decides how many digits a score gets. Rows shorter
/// than the column list are padded with empty cells; extra cells are ignored.
public struct Table: Sendable, Equatable {
    /// The columns, left to right.
    public var columns: [Column]
    /// The rows, top to bottom.
    public var rows: [[String]]

    /// Creates a table.
    public init(columns: [Column], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// Creates a table whose columns are given by their headers alone, aligned automatically.
    public init(headers: [String], rows: [[String]] = []) {
        self.init(columns: headers.map { Column($0) }, rows: rows)
    }

    /// Adds a row at the bottom.
    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// A column's header and layout.
    public struct Column: Sendable, Equatable {
        /// The header text.
        public var header: String
        /// How cells sit within the column.
        public var alignment: Alignment
        /// The widest a cell may be on the terminal before it is cut with `…`; `nil` for no limit.
        /// Markdown output is never truncated.
        public var maxWidth: Int?

        /// Creates a column.
        public init(_ header: String, alignment: Alignment = .automatic, maxWidth: Int? = nil) {
            self.header = header
            self.alignment = alignment
            self.maxWidth = maxWidth
        }
    }

    /// Where cells sit within their column.
    public enum Alignment: Sendable, Equatable {
        /// Flush left, for text.
        case left
        /// Flush right, so digits line up.
        case right
        /// Right if every non-empty cell is a number (optionally with `%`), else left.
        case automatic
    }

    /// The row's cell for `column`, or empty if the row is short.
    func cell(_ row: [String], _ column: Int) -> String {
        column < row.count ? row[column] : ""
    }

    /// `column`'s alignment with ``Alignment/automatic`` decided by the cells.
    func resolvedAlignment(of column: Int) -> Alignment {
        switch columns[column].alignment {
        case .left: return .left
        case .right: return .right
        case .automatic:
            // Dashes are the usual "no value" marker in numeric columns and should not flip them.
            let values = rows.map { cell($0, column) }.filter { !["", "-", "—"].contains($0) }
            return !values.isEmpty && values.allSatisfy(Self.isNumeric) ? .right : .left
        }
    }

    private static func isNumeric(_ text: String) -> Bool {
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        return Double(number.trimmingCharacters(in: .whitespaces)) != nil
    }
}
