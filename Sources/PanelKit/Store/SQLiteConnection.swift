import CSQLite
import Foundation

/// A SQLite database handle: a class because it owns a C resource that must be closed exactly once.
///
/// Not thread-safe by itself (opened with `SQLITE_OPEN_NOMUTEX`); `Store`, an actor, is its only user.
final class SQLiteConnection {
    private let handle: OpaquePointer
    let path: String

    init(path: String) throws(StoreError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw .open(path: path, message: message)
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 10_000)  // other panel processes may hold the write lock briefly
    }

    deinit { sqlite3_close_v2(handle) }

    private var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    /// Runs one or more statements without parameters.
    func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? lastError
            sqlite3_free(message)
            throw .query(path: path, message: text)
        }
    }

    /// Runs a statement with parameters and returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws(StoreError) -> [[SQLiteValue]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw .query(path: path, message: "\(lastError) in: \(sql.prefix(80))")
        }
        defer { sqlite3_finalize(statement) }
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let n): rc = sqlite3_bind_int64(statement, index, n)
            case .real(let x): rc = sqlite3_bind_double(statement, index, x)
            case .text(let s): rc = sqlite3_bind_text(statement, index, s, -1, csqlite_transient())
            }
            guard rc == SQLITE_OK else { throw .query(path: path, message: lastError) }
        }
        var rows: [[SQLiteValue]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw .query(path: path, message: lastError) }
            var row: [SQLiteValue] = []
            for column in 0..<sqlite3_column_count(statement) {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: row.append(.real(sqlite3_column_double(statement, column)))
                case SQLITE_TEXT: row.append(.text(String(cString: sqlite3_column_text(statement, column))))
                default: row.append(.null)
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs `body` inside one transaction, rolling back if it throws.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

/// A value bound to or read from SQLite.
enum SQLiteValue: Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    var int: Int? { if case .integer(let n) = self { Int(n) } else { nil } }
    var double: Double? {
        switch self {
        case .real(let x): x
        case .integer(let n): Double(n)
        default: nil
        }
    }
    var string: String? { if case .text(let s) = self { s } else { nil } }
    var json: JSONValue? { string.flatMap { try? JSONParser.parse($0) } }

    static func optional(_ s: String?) -> SQLiteValue { s.map(SQLiteValue.text) ?? .null }
    static func optional(_ n: Int?) -> SQLiteValue { n.map { .integer(Int64($0)) } ?? .null }
    static func optional(_ x: Double?) -> SQLiteValue { x.map(SQLiteValue.real) ?? .null }
    static func int(_ n: Int) -> SQLiteValue { .integer(Int64(n)) }
}
