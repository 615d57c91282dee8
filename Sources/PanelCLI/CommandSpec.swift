/// A declarative description of a command, from which its help text and its list of known option
/// names (for "did you mean …?" hints) are derived.
///
/// It describes; it does not parse. Parsing stays in the command's `init(parsing:)`, so keep the two in
/// step: every option the `switch` accepts should appear here, and vice versa.
public struct CommandSpec: Sendable, Equatable {
    /// The word that selects the command, e.g. `check` in `panel pool check`.
    public var name: String
    /// A one-sentence summary, shown after `OVERVIEW:` and in the parent's `SUBCOMMANDS:` list.
    public var abstract: String
    /// Longer explanation shown under the overview; blank lines separate paragraphs.
    public var discussion: String
    /// The usage line after the command path, e.g. `<prompt> --pool <file> [<options>]`; `nil` derives
    /// one from the arguments and options.
    public var usage: String?
    /// Positional arguments, in order.
    public var arguments: [Argument]
    /// Options, in the order the help lists them. `-h, --help` is added automatically.
    public var options: [Option]
    /// Worked examples shown at the end of the help.
    public var examples: [Example]
    /// Further titled sections, e.g. `EXIT CODES:`, shown after the examples.
    public var sections: [Section]
    /// Child commands, for a group such as `pool`. The dispatcher fills this from its command table.
    public var subcommands: [CommandSpec]

    /// Creates a command description.
    public init(
        name: String,
        abstract: String,
        discussion: String = "",
        usage: String? = nil,
        arguments: [Argument] = [],
        options: [Option] = [],
        examples: [Example] = [],
        sections: [Section] = [],
        subcommands: [CommandSpec] = []
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.usage = usage
        self.arguments = arguments
        self.options = options
        self.examples = examples
        self.sections = sections
        self.subcommands = subcommands
    }

    /// The standard help option every command accepts.
    public static let helpOption = Option.flag("-h", "--help", help: "Show help information.")

    /// Every option name the command accepts, including `-h` and `--help`.
    public var optionNames: [String] {
        (options + [Self.helpOption]).flatMap(\.names)
    }

    /// A positional argument.
    public struct Argument: Sendable, Equatable {
        /// The name without angle brackets, e.g. `prompt`.
        public var name: String
        /// What the argument is for.
        public var help: String
        /// Whether it may be omitted; shown as `[<name>]`.
        public var isOptional: Bool
        /// Whether it may be given several times; shown as `<name> ...`.
        public var isRepeating: Bool

        /// Creates an argument description.
        public init(_ name: String, help: String, isOptional: Bool = false, isRepeating: Bool = false) {
            self.name = name
            self.help = help
            self.isOptional = isOptional
            self.isRepeating = isRepeating
        }

        /// How the argument is written in the usage line, e.g. `[<file> ...]`.
        var usageForm: String {
            let form = "<\(name)>" + (isRepeating ? " ..." : "")
            return isOptional ? "[\(form)]" : form
        }
    }

    /// A named option, either a flag or one that takes a value.
    public struct Option: Sendable, Equatable {
        /// All spellings, short first, e.g. `["-m", "--model"]`.
        public var names: [String]
        /// The value's placeholder without angle brackets, e.g. `url`, or `nil` for a flag.
        public var valueName: String?
        /// What the option does.
        public var help: String
        /// The value used when the option is absent, shown as `(default: …)`.
        public var defaultValue: String?
        /// Whether the option may be given several times, each adding a value.
        public var isRepeatable: Bool
        /// Whether the command fails without it; such options are spelled out in the usage line.
        public var isRequired: Bool

        /// Creates an option description; prefer ``option(_:value:help:defaultValue:isRepeatable:isRequired:)``
        /// and ``flag(_:help:)``, which read better in a spec.
        public init(
            names: [String],
            valueName: String?,
            help: String,
            defaultValue: String? = nil,
            isRepeatable: Bool = false,
            isRequired: Bool = false
        ) {
            self.names = names
            self.valueName = valueName
            self.help = help
            self.defaultValue = defaultValue
            self.isRepeatable = isRepeatable
            self.isRequired = isRequired
        }

        /// An option that takes a value, e.g. `.option("-m", "--model", value: "url", help: "…")`.
        public static func option(
            _ names: String...,
            value: String,
            help: String,
            defaultValue: String? = nil,
            isRepeatable: Bool = false,
            isRequired: Bool = false
        ) -> Option {
            Option(
                names: names, valueName: value, help: help, defaultValue: defaultValue,
                isRepeatable: isRepeatable, isRequired: isRequired)
        }

        /// A boolean flag that takes no value, e.g. `.flag("--json", help: "…")`.
        public static func flag(_ names: String..., help: String) -> Option {
            Option(names: names, valueName: nil, help: help)
        }

        /// The left column of the help, e.g. `-m, --model <url>`.
        var label: String {
            names.joined(separator: ", ") + (valueName.map { " <\($0)>" } ?? "")
        }

        /// How the option is written in the usage line, e.g. `--model <url>`.
        var usageForm: String {
            let name = names.last ?? ""
            return name + (valueName.map { " <\($0)>" } ?? "") + (isRepeatable ? " ..." : "")
        }
    }

    /// A worked example: a command line and what it does.
    public struct Example: Sendable, Equatable {
        /// The full command line, e.g. `panel pool check --pool pool.json`.
        public var command: String
        /// What it does, as a sentence.
        public var explanation: String

        /// Creates an example.
        public init(_ command: String, explanation: String) {
            self.command = command
            self.explanation = explanation
        }
    }

    /// An extra titled section of two-column entries, e.g. exit codes and their meaning.
    public struct Section: Sendable, Equatable {
        /// The heading without the colon, e.g. `EXIT CODES`.
        public var title: String
        /// Label and description pairs.
        public var entries: [Entry]

        /// Creates a section.
        public init(title: String, entries: [Entry]) {
            self.title = title
            self.entries = entries
        }

        /// One line of a section: a label and its description.
        public struct Entry: Sendable, Equatable {
            /// The left column.
            public var label: String
            /// The right column.
            public var help: String

            /// Creates an entry.
            public init(_ label: String, help: String) {
                self.label = label
                self.help = help
            }
        }
    }
}
