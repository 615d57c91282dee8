extension CommandSpec {
    /// The help text in swift-argument-parser's layout: `OVERVIEW:`, `USAGE:`, `ARGUMENTS:`, `OPTIONS:`,
    /// `SUBCOMMANDS:`, `EXAMPLES:` and any extra sections, with two aligned columns, wrapped at `width`.
    ///
    /// - Parameters:
    ///   - commandPath: How the command is invoked, e.g. `panel pool check`; it starts the usage line.
    ///   - width: The column at which text wraps.
    /// - Returns: The text, ending with a newline.
    public func helpText(commandPath: String, width: Int = 100) -> String {
        var blocks: [[String]] = []
        let column = descriptionColumn()

        var overview = wrap("OVERVIEW: " + abstract, width: width)
        if !discussion.isEmpty {
            overview.append("")
            overview += discussion.split(separator: "\n", omittingEmptySubsequences: false)
                .flatMap { wrap(String($0), width: width) }
        }
        if !abstract.isEmpty { blocks.append(overview) }

        blocks.append(wrap("USAGE: \(commandPath) \(usage ?? derivedUsage)", width: width, hangingIndent: 7))

        if !arguments.isEmpty {
            blocks.append(
                ["ARGUMENTS:"]
                    + arguments.flatMap {
                        row(label: $0.usageForm.trimmingBrackets, help: $0.help, column: column, width: width)
                    })
        }
        blocks.append(
            ["OPTIONS:"]
                + (options + [Self.helpOption]).flatMap {
                    row(label: $0.label, help: $0.decoratedHelp, column: column, width: width)
                })
        if !subcommands.isEmpty {
            blocks.append(
                ["SUBCOMMANDS:"]
                    + subcommands.flatMap { row(label: $0.name, help: $0.abstract, column: column, width: width) })
        }
        if !examples.isEmpty {
            var lines = ["EXAMPLES:"]
            for (index, example) in examples.enumerated() {
                if index > 0 { lines.append("") }
                lines += wrap(example.explanation, width: width, indent: 2)
                lines.append("    " + example.command)
            }
            blocks.append(lines)
        }
        for section in sections {
            blocks.append(
                [section.title + ":"]
                    + section.entries.flatMap { row(label: $0.label, help: $0.help, column: column, width: width) })
        }
        if !subcommands.isEmpty {
            blocks.append(["  See '\(commandPath) <subcommand> --help' for detailed help."])
        }
        return blocks.map { $0.joined(separator: "\n") }.joined(separator: "\n\n") + "\n"
    }

    /// The usage line derived from the spec: required options spelled out, the rest as `[<options>]`,
    /// then the positional arguments; or `<subcommand>` for a group.
    var derivedUsage: String {
        // A group's own options are only `--help` and `--version`, not worth a usage slot.
        if !subcommands.isEmpty && arguments.isEmpty {
            return "<subcommand>"
        }
        var parts = options.filter(\.isRequired).map(\.usageForm)
        if options.contains(where: { !$0.isRequired }) { parts.append("[<options>]") }
        parts += arguments.map(\.usageForm)
        return parts.joined(separator: " ")
    }

    /// Where the right column starts: after the longest label, but no further than column 26 (as in
    /// swift-argument-parser) so one long label does not squeeze every description; longer labels
    /// get a line of their own.
    private func descriptionColumn() -> Int {
        let labels =
            arguments.map(\.usageForm.trimmingBrackets) + (options + [Self.helpOption]).map(\.label)
            + subcommands.map(\.name) + sections.flatMap { $0.entries.map(\.label) }
        let longest = labels.map(\.count).max() ?? 0
        return 2 + min(longest, 22) + 2
    }

    private func row(label: String, help: String, column: Int, width: Int) -> [String] {
        let description = wrap(help, width: width, indent: column)
        let head = "  " + label
        if head.count + 2 > column || description.isEmpty {
            return [head] + description
        }
        let first = description[0].dropFirst(head.count)
        return [head + first] + description.dropFirst()
    }

    /// Greedy word wrap; words longer than the line stay whole rather than being split.
    private func wrap(_ text: String, width: Int, indent: Int = 0, hangingIndent: Int = 0) -> [String] {
        let leading = text.prefix { $0 == " " }.count
        let words = text.split(separator: " ")
        guard !words.isEmpty else { return text.isEmpty && indent == 0 ? [""] : [] }
        var lines: [String] = []
        var line = String(repeating: " ", count: indent + leading) + words[0]
        for word in words.dropFirst() {
            if line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: indent + max(leading, hangingIndent)) + word
            } else {
                line += " " + word
            }
        }
        lines.append(line)
        return lines
    }
}

extension CommandSpec.Option {
    /// The help followed by the default and repeatability notes.
    fileprivate var decoratedHelp: String {
        var text = help
        if let defaultValue { text += " (default: \(defaultValue))" }
        if isRepeatable { text += " (can be repeated)" }
        return text
    }
}

extension String {
    /// An argument's usage form without the brackets that mark it optional, for the left column.
    fileprivate var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
