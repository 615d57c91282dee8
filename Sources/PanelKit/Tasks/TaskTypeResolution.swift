/// The answer type of every item of a task file: one type for the whole file when its items agree, or one
/// per item for a mixed file (say arithmetic and multiple-choice items together), which is scored item by
/// item with each item's own extractor.
public struct TaskTypeResolution: Sendable, Equatable {
    /// The type of every item, or `nil` when the file mixes types.
    public let fileType: TaskType?
    /// Each item's type by id; empty when `fileType` applies to all.
    private let typesByID: [String: TaskType]

    /// A resolution giving all items one type.
    public init(uniform type: TaskType) {
        fileType = type
        typesByID = [:]
    }

    /// A resolution from each item's own type; uniform when they all agree.
    public init(items: [TaskItem], types: [TaskType]) {
        precondition(items.count == types.count, "one type per item")
        if let first = types.first, types.allSatisfy({ $0 == first }) {
            fileType = first
            typesByID = [:]
        } else {
            fileType = nil
            typesByID = Dictionary(zip(items.map(\.id), types), uniquingKeysWith: { first, _ in first })
        }
    }

    /// Whether items have different types.
    public var isMixed: Bool { fileType == nil }

    /// The distinct types in use.
    public var types: Set<TaskType> { fileType.map { [$0] } ?? Set(typesByID.values) }

    /// The type `item` is scored as; an item not in the file gets the file's type, or its inferred type
    /// when the file is mixed.
    public func type(of item: TaskItem) -> TaskType {
        fileType ?? typesByID[item.id] ?? TaskType.infer(from: item)
    }

    /// The extractor for `item`'s answers.
    public func extractor(for item: TaskItem) -> AnswerExtractor {
        AnswerExtractor(type: type(of: item))
    }
}
