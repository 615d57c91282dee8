import Testing

@testable import PanelCLI

@Suite struct TableRendererTests {
    static let scores = Table(
        headers: ["MODEL", "SCORE", "NOTE"],
        rows: [
            ["qwen2.5-7b-instruct", "0.81", "best on math"],
            ["llama-3.1-8b", "0.7", "-"],
            ["phi-3", "12%"],
        ])

    @Test func numericColumnsAreRightAligned() {
        let text = TableRenderer().render(Self.scores)
        #expect(
            text == """
                MODEL                SCORE  NOTE
                qwen2.5-7b-instruct   0.81  best on math
                llama-3.1-8b           0.7  -
                phi-3                  12%

                """)
    }

    @Test func longCellsAreTruncatedWithAnEllipsis() {
        var table = Self.scores
        table.columns[0].maxWidth = 8
        let lines = TableRenderer(showsRule: true).render(table).split(separator: "\n")
        #expect(lines[0] == "MODEL     SCORE  NOTE")
        #expect(lines[1] == "--------  -----  ------------")
        #expect(lines[2] == "qwen2.5…   0.81  best on math")
        #expect(lines[4] == "phi-3       12%")
    }

    @Test func explicitAlignmentOverridesDetection() {
        let table = Table(
            columns: [.init("ID", alignment: .left), .init("NAME", alignment: .right)],
            rows: [["1", "a"], ["22", "bbb"]])
        #expect(TableRenderer().render(table) == "ID  NAME\n1      a\n22   bbb\n")
    }

    @Test func headerIsBoldWhenStyled() {
        let table = Table(headers: ["A"], rows: [["x"]])
        #expect(TableRenderer(headerStyle: .ansi).render(table) == "\u{1B}[1mA\u{1B}[0m\nx\n")
    }

    @Test func truncation() {
        #expect(TableRenderer.truncate("abcdef", to: 4) == "abc…")
        #expect(TableRenderer.truncate("abcd", to: 4) == "abcd")
        #expect(TableRenderer.truncate("abcd", to: 1) == "…")
        #expect(TableRenderer.truncate("abcd", to: nil) == "abcd")
    }

    @Test func markdownHasAlignmentRowAndFullCells() {
        var table = Self.scores
        table.columns[0].maxWidth = 3
        #expect(
            TableRenderer().renderMarkdown(table) == """
                | MODEL | SCORE | NOTE |
                |---|--:|---|
                | qwen2.5-7b-instruct | 0.81 | best on math |
                | llama-3.1-8b | 0.7 | - |
                | phi-3 | 12% |  |

                """)
    }

    @Test func markdownEscapesPipesAndLineBreaks() {
        let table = Table(headers: ["a|b"], rows: [["x | y"], ["one\ntwo"], ["already \\| escaped"]])
        #expect(
            TableRenderer().renderMarkdown(table) == """
                | a\\|b |
                |---|
                | x \\| y |
                | one<br>two |
                | already \\| escaped |

                """)
    }

    @Test func emptyTableRendersItsHeader() {
        #expect(TableRenderer().render(Table(headers: ["A", "B"])) == "A  B\n")
        #expect(TableRenderer().render(Table(columns: [])) == "")
    }
}
