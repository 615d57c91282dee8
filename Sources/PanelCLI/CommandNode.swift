/// One entry of the command table: a runnable command, or a group of further entries such as `pool`.
public enum CommandNode: Sendable {
    /// A command that runs.
    case command(any Subcommand.Type)
    /// A named group whose children are selected by the next word; `spec` supplies its name,
    /// abstract and any options of its own, and its `subcommands` are filled from `children`.
    case group(CommandSpec, [CommandNode])

    /// The word that selects this entry.
    public var name: String {
        switch self {
        case .command(let type): type.spec.name
        case .group(let spec, _): spec.name
        }
    }

    /// The description used for help, with a group's children listed as subcommands.
    public var spec: CommandSpec {
        switch self {
        case .command(let type):
            return type.spec
        case .group(var spec, let children):
            spec.subcommands = children.map { child in
                // Only name and abstract are shown in the parent's list.
                CommandSpec(name: child.name, abstract: child.shallowAbstract)
            }
            return spec
        }
    }

    /// The child selected by `word`, if this is a group.
    public func child(named word: String) -> CommandNode? {
        guard case .group(_, let children) = self else { return nil }
        return children.first { $0.name == word }
    }

    /// The names of a group's children, in table order.
    public var childNames: [String] {
        guard case .group(_, let children) = self else { return [] }
        return children.map(\.name)
    }

    private var shallowAbstract: String {
        switch self {
        case .command(let type): type.spec.abstract
        case .group(let spec, _): spec.abstract
        }
    }
}
