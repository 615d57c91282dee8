import Foundation
import Testing

@testable import PanelKit

@Suite struct TaskFileTests {
    static let path = "evals/x.jsonl"

    private static func parse(_ text: String) throws(DataFileError) -> TaskFile {
        try TaskFile.parse(Data(text.utf8), path: path)
    }

    /// The error `text` raises, or `nil` when it loads.
    private static func error(of text: String) -> DataFileError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    static let valid = #"{"id": "a", "question": "2+2?", "answer": "4"}"#
    static let tooManyChoices = #"{"id": "a", "question": "Q", "answer": "A", "choices": ["#
        + (1...27).map { "\"c\($0)\"" }.joined(separator: ", ") + "]}"

    // MARK: Loading

    @Test func loadsItemsWithLinesAndSkipsBlankLines() throws {
        let text = """
            {"id": "q1", "question": "Which?", "choices": ["x", "y", "z"], "answer": "C", "subject": "extra"}

            {"id": "q2", "question": "How many?", "answer": "72", "rationale": "48+24 = 72"}
              \t
            {"id": 3, "question": "Code?", "answer": "def f(): pass", "tests": ["assert f() is None"]}

            """
        let file = try Self.parse(text)
        #expect(file.path == Self.path)
        #expect(file.items.map(\.id) == ["q1", "q2", "3"])
        #expect(file.items.map(\.line) == [1, 3, 5])
        #expect(file.items[0].choices == ["x", "y", "z"])
        #expect(file.items[1].rationale == "48+24 = 72")
        #expect(file.items[2].tests == ["assert f() is None"])
        #expect(file.data == Data(text.utf8))
    }

    @Test func acceptsCRLFAndAByteOrderMark() throws {
        let text = "\u{FEFF}" + Self.valid + "\r\n" + #"{"id": "b", "question": "Q", "answer": "yes"}"# + "\r\n"
        let file = try Self.parse(text)
        #expect(file.items.map(\.answer) == ["4", "yes"])
    }

    @Test func numericAnswersAreWrittenCanonically() throws {
        let file = try Self.parse(
            #"{"id": "a", "question": "Q", "answer": 72}"# + "\n" + #"{"id": "b", "question": "Q", "answer": 0.5}"#)
        #expect(file.items.map(\.answer) == ["72", "0.5"])
    }

    @Test func loadsARealBenchmarkExcerptFromDisk() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("panel-taskfile-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let lines = [
            #"{"id": "gsm8k-0", "task": "gsm8k", "question": "Janet’s ducks lay 16 eggs per day.", "answer": "18", "rationale": "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day."}"#,
            #"{"id": "gsm8k-1", "task": "gsm8k", "question": "A robe takes 2 bolts of blue fiber and half that much white fiber.  How many bolts in total does it take?", "answer": "3", "rationale": "It takes 2/2=<<2/2=1>>1 bolt of white fiber\nSo the total amount of fabric is 2+1=<<2+1=3>>3 bolts of fabric"}"#,
        ]
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        let file = try TaskFile.load(path: url.path)
        #expect(file.items.count == 2)
        #expect(file.items[1].rationale?.hasPrefix("It takes 2/2=") == true)
        #expect(try file.resolveType(nil) == .number)
    }

    @Test func missingFile() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("panel-missing-\(UUID()).jsonl").path
        #expect(throws: DataFileError(file: path, line: 0, message: "no such file")) {
            try TaskFile.load(path: path)
        }
    }

    @Test func directoryIsNotATaskFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("panel-dir-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: DataFileError(file: url.path, line: 0, message: "is a directory, not a task file")) {
            try TaskFile.load(path: url.path)
        }
    }

    @Test func invalidUTF8NamesLineAndColumn() throws {
        var bytes = Data((Self.valid + "\n").utf8)
        bytes.append(contentsOf: Array(#"{"id": "é"#.utf8) + [0xFF] + Array(#"", "question": "Q", "answer": "1"}"#.utf8))
        do {
            _ = try TaskFile.parse(bytes, path: Self.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.message == "not valid UTF-8 (bad byte at column 10)")
        }
    }

    // MARK: Validation errors

    /// Each case: file content, then the expected line, field and message.
    @Test(arguments: [
        ("", 0, "", "file has no items"),
        ("\n  \n", 0, "", "file has no items"),
        (valid + "\n" + #"{"id": "b", "question": "Q", "answer": }"#, 2, "", "not valid JSON"),
        ("[1, 2]", 1, "", "expected a JSON object, got an array"),
        (#""just a string""#, 1, "", "expected a JSON object, got a string"),
        (#"{"question": "Q", "answer": "1"}"#, 1, "id", "missing required field"),
        (#"{"id": "", "question": "Q", "answer": "1"}"#, 1, "id", "must not be empty"),
        (#"{"id": true, "question": "Q", "answer": "1"}"#, 1, "id", "must be a string, got a boolean"),
        (valid + "\n\n" + valid, 3, "id", #"duplicate id "a" (first used on line 1)"#),
        (#"{"id": "a", "answer": "1"}"#, 1, "question", "missing required field"),
        (#"{"id": "a", "question": 5, "answer": "1"}"#, 1, "question", "must be a string, got a number"),
        (#"{"id": "a", "question": "  ", "answer": "1"}"#, 1, "question", "must not be empty"),
        (#"{"id": "a", "question": "Q"}"#, 1, "answer", "missing required field"),
        (#"{"id": "a", "question": "Q", "answer": ""}"#, 1, "answer", "must not be empty"),
        (#"{"id": "a", "question": "Q", "answer": null}"#, 1, "answer", "must be a string or a number, got null"),
        (#"{"id": "a", "question": "Q", "answer": "A", "choices": "x, y"}"#, 1, "choices",
         "must be an array of strings, got a string"),
        (#"{"id": "a", "question": "Q", "answer": "A", "choices": ["x", 2]}"#, 1, "choices[1]",
         "must be a string, got a number"),
        (#"{"id": "a", "question": "Q", "answer": "A", "choices": ["x"]}"#, 1, "choices",
         "needs at least 2 choices, got 1"),
        (tooManyChoices,
         1, "choices", "has 27 choices; at most 26 fit letters A–Z"),
        (#"{"id": "a", "question": "Q", "answer": "A", "choices": ["x", " "]}"#, 1, "choices[1]", "must not be empty"),
        (#"{"id": "a", "question": "Q", "answer": "E", "choices": ["w", "x", "y", "z"]}"#, 1, "answer",
         #"must be the letter of one of the 4 choices (A–D), not "E""#),
        (#"{"id": "a", "question": "Q", "answer": "x", "choices": ["w", "x"]}"#, 1, "answer",
         #"must be the letter of one of the 2 choices (A–B), not "x""#),
        (#"{"id": "a", "question": "Q", "answer": "1", "rationale": 7}"#, 1, "rationale", "must be a string, got a number"),
        (#"{"id": "a", "question": "Q", "answer": "1", "tests": "assert f()"}"#, 1, "tests",
         "must be an array of strings, got a string"),
        (#"{"id": "a", "question": "Q", "answer": "1", "tests": ["assert f()", null]}"#, 1, "tests[1]",
         "must be a string, got null"),
    ] as [(String, Int, String, String)])
    func validationErrors(text: String, line: Int, field: String, message: String) {
        guard let error = Self.error(of: text) else {
            Issue.record("expected an error for \(text)")
            return
        }
        #expect(error.file == Self.path)
        #expect(error.line == line)
        #expect(error.field == field)
        #expect(error.message.hasPrefix(message), "\(error.message)")
    }

    /// The column counts characters: the missing comma is noticed at the quote of "answer", character 29
    /// but byte 30 because of the "é".
    @Test func jsonErrorsNameTheColumn() {
        let error = Self.error(of: #"{"id": "é", "question": "Q" "answer": "1"}"#)
        #expect(error?.message.hasPrefix("not valid JSON: ") == true)
        #expect(error?.message.hasSuffix("(column 29)") == true, "\(error?.message ?? "")")
    }

    @Test func errorDescriptionIsCompilerStyle() {
        #expect(Self.error(of: Self.valid + "\n" + #"{"id": "b", "question": "Q"}"#)?.description
            == "evals/x.jsonl:2: answer: missing required field")
    }

    @Test func nullOptionalFieldsCountAsAbsent() throws {
        let file = try Self.parse(#"{"id": "a", "question": "Q", "answer": "1", "choices": null, "rationale": null, "tests": null}"#)
        #expect(file.items[0].choices == nil)
        #expect(file.items[0].rationale == nil)
    }

    // MARK: Types

    static let mixed = """
        {"id": "m1", "question": "What is 48/2?", "answer": "24"}
        {"id": "m2", "question": "Which is a gas?", "choices": ["iron", "oxygen"], "answer": "B"}

        {"id": "m3", "question": "Is ice cold?", "answer": "yes"}
        """

    @Test(arguments: [
        (#"{"id": "a", "question": "Q", "choices": ["x", "y"], "answer": "A"}"#, TaskType.multipleChoice),
        (#"{"id": "a", "question": "Q", "answer": "1,250"}"#, .number),
        (#"{"id": "a", "question": "Q", "answer": "No"}"#, .yesNo),
        (#"{"id": "a", "question": "Q", "answer": "Paris"}"#, .exact),
        (#"{"id": "a", "question": "Q", "answer": "def f(): pass", "tests": ["assert f() is None"]}"#, .freeText),
    ])
    func infersAUniformType(line: String, expected: TaskType) throws {
        let file = try Self.parse(line + "\n" + line.replacingOccurrences(of: #""id": "a""#, with: #""id": "b""#))
        #expect(try file.resolveType(nil) == expected)
        #expect(!file.inferredTypes.isMixed)
    }

    @Test func shortAndLongTextAnswersAreAllFreeText() throws {
        let file = try Self.parse("""
            {"id": "t1", "question": "Q", "answer": "Nothing happens"}
            {"id": "t2", "question": "Q", "answer": "The watermelon seeds pass through your digestive system"}
            """)
        #expect(try file.resolveType(nil) == .freeText)
    }

    @Test func givenTypeWinsWhenItFits() throws {
        let file = try Self.parse(#"{"id": "a", "question": "Q", "answer": "42"}"#)
        #expect(try file.resolveType(.exact) == .exact)
        #expect(try file.resolveType(nil) == .number)
    }

    @Test(arguments: [
        (TaskType.multipleChoice, 1, "choices", "type multiple-choice needs choices"),
        (.number, 2, "answer", #"type number needs a numeric answer, not "B""#),
        (.yesNo, 1, "answer", #"type yes-no needs "yes" or "no", not "24""#),
    ])
    func givenTypeMustFitEveryItem(type: TaskType, line: Int, field: String, message: String) throws {
        let file = try Self.parse(Self.mixed)
        #expect(throws: DataFileError(file: Self.path, line: line, field: field, message: message)) {
            try file.resolveTypes(type)
        }
    }

    @Test func mixedFileIsScoredPerItem() throws {
        let file = try Self.parse(Self.mixed)
        let types = try file.resolveTypes(nil)
        #expect(types.isMixed)
        #expect(types.fileType == nil)
        #expect(types.types == [.number, .multipleChoice, .yesNo])
        #expect(file.items.map(types.type(of:)) == [.number, .multipleChoice, .yesNo])
        #expect(file.items.map(file.type(of:)) == [.number, .multipleChoice, .yesNo])
        let outputs = ["48/2 = 24", "The answer is (B).", "Yes, ice is cold."]
        for (item, output) in zip(file.items, outputs) {
            let extractor = types.extractor(for: item)
            #expect(extractor.isCorrect(extractor.extract(from: output, for: item), gold: item), "\(item.id)")
        }
    }

    @Test func mixedFileHasNoSingleType() throws {
        let file = try Self.parse(Self.mixed)
        #expect(throws: DataFileError(
            file: Self.path, line: 2,
            message: "items have different types: line 1 is number, this line is multiple-choice; give a type, "
                + "or score each item by its own type")) {
            try file.resolveType(nil)
        }
        #expect(try file.resolveType(.freeText) == .freeText)
    }
}
