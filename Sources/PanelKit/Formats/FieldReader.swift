import Foundation

/// Reads typed fields out of a parsed JSON file and turns every mismatch into a located `DataFileError`.
///
/// Pool and ensemble files are edited by hand; a typo must be reported as `file:line: field: problem`,
/// so every accessor takes the field's path and looks up its line in the parser's line map.
struct FieldReader {
    let file: String
    let lines: JSONParser.LineMap

    /// Reads a data file; a missing or unreadable file is an error at line 0, with `hint` saying
    /// what to do when the file does not exist.
    static func contents(of path: String, missingHint: String) throws(DataFileError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw DataFileError(file: path, line: 0, message: exists ? "cannot read the file" : "no such file (\(missingHint))")
        }
        return data
    }

    /// Parses a JSON data file, recording lines, and returns its root with a reader for its fields.
    static func parse(_ data: Data, path: String) throws(DataFileError) -> (JSONValue, FieldReader) {
        do {
            let (root, lines) = try JSONParser.parseWithLines(data)
            return (root, FieldReader(file: path, lines: lines))
        } catch {
            throw DataFileError(file: path, line: error.line, message: "invalid JSON: \(error.message) (column \(error.column))")
        }
    }

    /// The line of `path`, or of its nearest parent that has one.
    func line(of path: String) -> Int {
        var current = path
        while true {
            if let line = lines[current] { return line }
            guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }) else { return lines[""] ?? 1 }
            current = String(current[..<cut])
        }
    }

    func error(_ path: String, _ message: String) -> DataFileError {
        DataFileError(file: file, line: line(of: path), field: path, message: message)
    }

    static func join(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }

    func object(_ value: JSONValue?, at path: String) throws(DataFileError) -> JSONObject {
        guard let value else { throw error(path, "missing required field") }
        guard let object = value.objectValue else { throw error(path, "expected an object, found \(value.kindDescription)") }
        return object
    }

    /// Rejects members not in `allowed`, suggesting the nearest allowed name for a likely typo.
    func rejectUnknownKeys(_ object: JSONObject, allowed: [String], at path: String) throws(DataFileError) {
        for key in object.keys where !allowed.contains(key) {
            let suggestion = allowed.min { editDistance($0, key) < editDistance($1, key) }
            var message = "unknown field"
            if let suggestion, editDistance(suggestion, key) <= 2 { message += "; did you mean '\(suggestion)'?" }
            else { message += " (allowed: \(allowed.joined(separator: ", ")))" }
            throw error(Self.join(path, key), message)
        }
    }

    func string(_ object: JSONObject, _ key: String, at path: String) throws(DataFileError) -> String? {
        let fieldPath = Self.join(path, key)
        guard let value = object[key], !value.isNull else { return nil }
        guard let string = value.stringValue else {
            throw error(fieldPath, "expected a string, found \(value.kindDescription)")
        }
        return string
    }

    func requiredString(_ object: JSONObject, _ key: String, at path: String) throws(DataFileError) -> String {
        guard let string = try self.string(object, key, at: path) else {
            throw error(Self.join(path, key), "missing required field")
        }
        guard !string.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw error(Self.join(path, key), "must not be empty")
        }
        return string
    }

    func number(_ object: JSONObject, _ key: String, at path: String, in range: ClosedRange<Double>)
        throws(DataFileError) -> Double?
    {
        let fieldPath = Self.join(path, key)
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.doubleValue else {
            throw error(fieldPath, "expected a number, found \(value.kindDescription)")
        }
        guard range.contains(number) else {
            throw error(fieldPath, "\(value.serialized()) is out of range \(format(range.lowerBound))…\(format(range.upperBound))")
        }
        return number
    }

    func integer(_ object: JSONObject, _ key: String, at path: String, in range: ClosedRange<Int>)
        throws(DataFileError) -> Int?
    {
        let fieldPath = Self.join(path, key)
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.intValue else {
            throw error(fieldPath, "expected an integer, found \(value.serialized())")
        }
        guard range.contains(number) else {
            throw error(fieldPath, "\(number) is out of range \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    func strings(_ object: JSONObject, _ key: String, at path: String) throws(DataFileError) -> [String]? {
        let fieldPath = Self.join(path, key)
        guard let value = object[key], !value.isNull else { return nil }
        guard let array = value.arrayValue else {
            throw error(fieldPath, "expected an array of strings, found \(value.kindDescription)")
        }
        var result: [String] = []
        for (index, element) in array.enumerated() {
            guard let string = element.stringValue else {
                throw error("\(fieldPath)[\(index)]", "expected a string, found \(element.kindDescription)")
            }
            result.append(string)
        }
        return result
    }

    private func format(_ x: Double) -> String { x.rounded() == x && abs(x) < 1e12 ? String(Int(x)) : String(x) }
}

/// The Levenshtein distance between two short strings, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
