/// A problem in a user-supplied data file (pool, task or ensemble file), located precisely enough
/// to fix it: the file, the 1-based line, and the field.
public struct DataFileError: Error, Equatable, CustomStringConvertible {
    /// The file's path as the user gave it.
    public var file: String
    /// The 1-based line, or 0 when the problem concerns the whole file.
    public var line: Int
    /// The field's path, e.g. `candidates[1].kind`, or empty when the problem is not about one field.
    public var field: String
    /// What is wrong and, where it helps, what to do.
    public var message: String

    /// Creates an error.
    public init(file: String, line: Int, field: String = "", message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `file:line: field: message`, one line, in the style compilers use so editors can jump to it.
    public var description: String {
        let location = line > 0 ? "\(file):\(line)" : file
        return field.isEmpty ? "\(location): \(message)" : "\(location): \(field): \(message)"
    }
}
