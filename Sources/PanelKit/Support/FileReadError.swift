/// Why a file could not be read in full.
public enum FileReadError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened (missing, a directory, no permission…); `reason` is the system's message.
    case cannotOpen(path: String, reason: String)
    /// A read failed part-way through; `reason` is the system's message.
    case readFailed(path: String, reason: String)

    /// A one-line, lowercase message naming the file.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open \(path): \(reason)"
        case .readFailed(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}
