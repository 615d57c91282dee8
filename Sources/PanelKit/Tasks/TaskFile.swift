import Foundation

/// A task file: JSONL, one labelled example per line, in the format of the shared benchmark files
/// (`id`, `question`, `answer`, optional `choices`, `rationale`, `tests`; other fields are ignored).
///
/// Task files are written or cut by hand, so loading validates every line and reports the first problem as
/// a `DataFileError` naming the file, the 1-based line and the field. Blank lines are skipped but still
/// counted, so line numbers match what an editor shows.
public struct TaskFile: Sendable {
    /// The file's path as the user gave it.
    public let path: String
    /// The items, in file order.
    public let items: [TaskItem]
    /// The file's exact bytes, for content fingerprints computed elsewhere.
    public let data: Data
    /// Each item's type as inferred from its own fields, reconciled across the file (see `resolveTypes`).
    public let inferredTypes: TaskTypeResolution

    /// The most choices an item may have: one per letter.
    public static let maxChoices = 26

    /// The longest line an item may take, in bytes.
    ///
    /// Far more than any local model's context holds (a million tokens is about 4 MB of text), so a
    /// longer line is a file that is not a task file, or a runaway export; refusing it up front spares
    /// decoding and keeping it, which costs several times its size in memory.
    public static let maxLineBytes = 8 << 20

    /// Reads and validates the task file at `path`.
    public static func load(path: String) throws(DataFileError) -> TaskFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataFileError(file: path, line: 0, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw DataFileError(file: path, line: 0, message: "is a directory, not a task file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataFileError(file: path, line: 0, message: "cannot be read (check its permissions)")
        }
        return try parse(data, path: path)
    }

    /// Validates task-file content; `path` names the source in errors.
    public static func parse(_ data: Data, path: String) throws(DataFileError) -> TaskFile {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }  // a UTF-8 byte-order mark
        var items: [TaskItem] = []
        var lineOfID: [String: Int] = [:]
        for (offset, lineBytes) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
        {
            let line = offset + 1
            let reader = LineReader(path: path, line: line)
            guard lineBytes.count <= maxLineBytes else {
                throw reader.error(
                    "", "the line is \(megabytes(lineBytes.count)) long, more than the \(megabytes(maxLineBytes)) an item may take")
            }
            guard let text = String(validating: lineBytes, as: UTF8.self) else {
                throw reader.error("", "not valid UTF-8 (bad byte at column \(invalidUTF8Column(lineBytes)))")
            }
            if text.allSatisfy(\.isWhitespace) { continue }
            let item = try reader.item(from: text)
            if let earlier = lineOfID[item.id] {
                throw reader.error("id", "duplicate id \"\(item.id)\" (first used on line \(earlier))")
            }
            lineOfID[item.id] = line
            items.append(item)
        }
        guard !items.isEmpty else { throw DataFileError(file: path, line: 0, message: "file has no items") }
        return TaskFile(path: path, items: items, data: data, inferredTypes: inferTypes(items))
    }

    // MARK: Types

    /// The type of `item` as inferred from the file; see `resolveTypes` for how a file's items are reconciled.
    public func type(of item: TaskItem) -> TaskType {
        inferredTypes.type(of: item)
    }

    /// The type of every item.
    ///
    /// A type given (on the command line) applies to all items but must fit each of them, else the error
    /// names the first item that does not fit. Without one, each item's type is inferred from its fields
    /// (`TaskType.infer`); a file whose items agree gets that type, and a mixed file keeps each item's own
    /// type — except that short and long text answers in one file are all free text, since "exact" only
    /// means that those answers happened to be short (TruthfulQA has both).
    public func resolveTypes(_ given: TaskType?) throws(DataFileError) -> TaskTypeResolution {
        guard let given else { return inferredTypes }
        for item in items {
            if let problem = Self.misfit(of: item, for: given) {
                throw DataFileError(file: path, line: item.line, field: problem.field, message: problem.message)
            }
        }
        return TaskTypeResolution(uniform: given)
    }

    /// The one type of all items: the given type if it fits them all, otherwise the inferred type, which
    /// must be the same for all items; use `resolveTypes` to score a mixed file item by item.
    public func resolveType(_ given: TaskType?) throws(DataFileError) -> TaskType {
        let resolution = try resolveTypes(given)
        if let type = resolution.fileType { return type }
        let firstType = resolution.type(of: items[0])
        let other = items.first { resolution.type(of: $0) != firstType } ?? items[0]
        throw DataFileError(
            file: path, line: other.line,
            message: "items have different types: line \(items[0].line) is \(firstType.rawValue), this line is "
                + "\(resolution.type(of: other).rawValue); give a type, or score each item by its own type")
    }

    /// Why `item` cannot be scored as `type`, or `nil` when it can.
    private static func misfit(of item: TaskItem, for type: TaskType) -> (field: String, message: String)? {
        switch type {
        case .multipleChoice:
            guard item.choices != nil else { return ("choices", "type multiple-choice needs choices") }
            // Letters within the choices were checked when loading.
            return nil
        case .number:
            return NumberText.canonical(item.answer) == nil
                ? ("answer", "type number needs a numeric answer, not \"\(item.answer)\"") : nil
        case .yesNo:
            return AnswerExtractor.goldYesNo(item.answer) == nil
                ? ("answer", "type yes-no needs \"yes\" or \"no\", not \"\(item.answer)\"") : nil
        case .exact, .freeText:
            return nil
        }
    }

    private static func inferTypes(_ items: [TaskItem]) -> TaskTypeResolution {
        var types = items.map(TaskType.infer(from:))
        if Set(types) == [.exact, .freeText] { types = types.map { _ in .freeText } }
        return TaskTypeResolution(items: items, types: types)
    }

    /// A size in binary megabytes for messages: "8 MB", "50.0 MB".
    private static func megabytes(_ bytes: Int) -> String {
        let value = Double(bytes) / Double(1 << 20)
        return value == value.rounded() ? "\(Int(value)) MB" : String(format: "%.1f MB", value)
    }

    /// The 1-based column (in characters) of the first byte that is not valid UTF-8.
    private static func invalidUTF8Column(_ bytes: ArraySlice<UInt8>) -> Int {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var column = 1
        while case .scalarValue = decoder.decode(&iterator) { column += 1 }
        return column
    }
}

/// Validation of one line of a task file, with errors located at that line.
private struct LineReader {
    let path: String
    let line: Int

    func error(_ field: String, _ message: String) -> DataFileError {
        DataFileError(file: path, line: line, field: field, message: message)
    }

    func item(from text: String) throws(DataFileError) -> TaskItem {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw self.error("", "not valid JSON: \(error.message) (column \(characterColumn(text, error.column)))")
        }
        guard let object = value.objectValue else {
            throw self.error("", "expected a JSON object, got \(value.kindDescription)")
        }
        let id = try identifier(object["id"])
        let question = try requiredString(object["question"], "question")
        let answer = try answerText(object["answer"])
        let choices = try strings(object["choices"], "choices")
        if let choices {
            guard choices.count >= 2 else {
                throw self.error("choices", "needs at least 2 choices, got \(choices.count)")
            }
            guard choices.count <= TaskFile.maxChoices else {
                throw self.error(
                    "choices", "has \(choices.count) choices; at most \(TaskFile.maxChoices) fit letters A–Z")
            }
            if let empty = choices.firstIndex(where: { $0.allSatisfy(\.isWhitespace) }) {
                throw self.error("choices[\(empty)]", "must not be empty")
            }
            guard AnswerExtractor.goldLetter(answer.trimmingCharacters(in: .whitespaces), choices: choices) != nil
            else {
                let last = TaskItem.letter(choices.count - 1)
                let message = "must be the letter of one of the \(choices.count) choices (A–\(last)), not \"\(answer)\""
                throw self.error("answer", message)
            }
        }
        let rationale = try optionalString(object["rationale"], "rationale")
        let tests = try strings(object["tests"], "tests")
        return TaskItem(
            id: id, question: question, choices: choices, answer: answer, rationale: rationale, tests: tests,
            line: line)
    }

    /// An id: a non-empty string, or an integer for hand-numbered files.
    private func identifier(_ value: JSONValue?) throws(DataFileError) -> String {
        guard let value else { throw error("id", "missing required field") }
        if let number = value.intValue { return String(number) }
        guard let id = value.stringValue else { throw error("id", "must be a string, got \(value.kindDescription)") }
        guard !id.allSatisfy(\.isWhitespace) else { throw error("id", "must not be empty") }
        return id
    }

    private func requiredString(_ value: JSONValue?, _ field: String) throws(DataFileError) -> String {
        guard let value else { throw error(field, "missing required field") }
        guard let text = value.stringValue else {
            throw error(field, "must be a string, got \(value.kindDescription)")
        }
        guard !text.allSatisfy(\.isWhitespace) else { throw error(field, "must not be empty") }
        return text
    }

    /// The answer: a non-empty string, or a number written as its canonical decimal (`72`, `0.5`).
    private func answerText(_ value: JSONValue?) throws(DataFileError) -> String {
        if let number = value?.doubleValue {
            guard number.isFinite else { throw error("answer", "must be a finite number") }
            let text = number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
            return NumberText.canonical(text) ?? text
        }
        guard let value else { throw error("answer", "missing required field") }
        guard value.stringValue != nil else {
            throw error("answer", "must be a string or a number, got \(value.kindDescription)")
        }
        return try requiredString(value, "answer")
    }

    /// An optional string; `null` counts as absent.
    private func optionalString(_ value: JSONValue?, _ field: String) throws(DataFileError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.stringValue else { throw error(field, "must be a string, got \(value.kindDescription)") }
        return text
    }

    /// An optional array of strings; `null` counts as absent.
    private func strings(_ value: JSONValue?, _ field: String) throws(DataFileError) -> [String]? {
        guard let value, !value.isNull else { return nil }
        guard let array = value.arrayValue else {
            throw error(field, "must be an array of strings, got \(value.kindDescription)")
        }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element.stringValue else {
                throw error("\(field)[\(index)]", "must be a string, got \(element.kindDescription)")
            }
            strings.append(text)
        }
        return strings
    }

    /// The parser's byte column as a character column, which is what editors show.
    private func characterColumn(_ text: String, _ byteColumn: Int) -> Int {
        let prefix = text.utf8.prefix(max(byteColumn - 1, 0))
        return String(decoding: prefix, as: UTF8.self).count + 1
    }
}
