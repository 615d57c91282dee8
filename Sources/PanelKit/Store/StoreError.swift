/// Why the store could not be used.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The database file could not be opened or created.
    case open(path: String, message: String)
    /// A statement failed.
    case query(path: String, message: String)
    /// The database was written by a newer Panel.
    case newerSchema(path: String, found: Int, supported: Int)

    public var description: String {
        switch self {
        case .open(let path, let message):
            "cannot open the store \(path): \(message) (set --db or PANEL_DB to a writable path)"
        case .query(let path, let message): "store \(path): \(message)"
        case .newerSchema(let path, let found, let supported):
            "store \(path) has schema version \(found), newer than this panel's \(supported): upgrade panel or use another --db"
        }
    }
}
