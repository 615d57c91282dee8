import Foundation

/// Panel's SQLite store: every model call, probe results and evaluation runs.
///
/// An actor because one connection is shared by every concurrent task of a command; each
/// transaction lives inside one synchronous method so no caller can interleave with it.
/// WAL mode lets `panel runs list` read while an evaluation writes.
public actor Store {
    let db: SQLiteConnection
    /// The database file.
    public nonisolated let path: String

    /// The store's default location: `$PANEL_DB`, else `.panel/panel.sqlite`.
    public static var defaultPath: String {
        ProcessInfo.processInfo.environment["PANEL_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? ".panel/panel.sqlite"
    }

    /// Opens (creating if needed) the store at `path` and migrates it to the current schema.
    public init(path: String) throws(StoreError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .open(path: path, message: "cannot create \(folder): \(error.localizedDescription)")
        }
        let db = try SQLiteConnection(path: path)
        try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
        try Self.migrate(db)
        self.db = db
        self.path = path
    }

    /// The schema version of the open database.
    public func version() throws(StoreError) -> Int {
        try db.query("PRAGMA user_version").first?.first?.int ?? 0
    }

    // MARK: Calls

    /// Records one model call.
    public func record(_ call: CallRecord) throws(StoreError) {
        try db.query(
            """
            INSERT INTO calls (created_at, fingerprint, candidate, operation, cacheable, request, response,
                               tokens_in, tokens_out, latency_ms, outcome, error, run)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .real(Date().timeIntervalSince1970), .text(call.fingerprint), .text(call.candidate),
                .text(call.operation.rawValue), .int(call.cacheable ? 1 : 0), .text(call.request.serialized()),
                .optional(call.response?.serialized()), .int(call.tokensIn), .int(call.tokensOut),
                .real(call.latencyMs), .text(call.error == nil ? "ok" : "error"), .optional(call.error),
                .optional(call.run),
            ])
    }

    /// The response of the latest successful deterministic call with this fingerprint.
    public func cachedResponse(for fingerprint: String) throws(StoreError) -> JSONValue? {
        try db.query(
            "SELECT response FROM calls WHERE fingerprint = ? AND outcome = 'ok' AND cacheable = 1 ORDER BY id DESC LIMIT 1",
            [.text(fingerprint)]
        ).first?.first?.json
    }

    /// The number of recorded calls, optionally of one run.
    public func callCount(run: String? = nil) throws(StoreError) -> Int {
        if let run {
            return try db.query("SELECT COUNT(*) FROM calls WHERE run = ?", [.text(run)]).first?.first?.int ?? 0
        }
        return try db.query("SELECT COUNT(*) FROM calls").first?.first?.int ?? 0
    }

    // MARK: Probes

    /// Stores the latest probe result of a candidate of a pool.
    public func saveProbe(_ result: ProbeResult, pool: String) throws(StoreError) {
        try db.query(
            "INSERT OR REPLACE INTO probes (pool, candidate, probed_at, result) VALUES (?, ?, ?, ?)",
            [.text(pool), .text(result.candidateID), .real(Date().timeIntervalSince1970), .text(result.json.serialized())])
    }

    /// The latest probe results of a pool's candidates, with their age in seconds.
    public func probes(pool: String) throws(StoreError) -> [String: (result: ProbeResult, age: TimeInterval)] {
        var found: [String: (ProbeResult, TimeInterval)] = [:]
        let now = Date().timeIntervalSince1970
        for row in try db.query("SELECT candidate, probed_at, result FROM probes WHERE pool = ?", [.text(pool)]) {
            guard let id = row[0].string, let at = row[1].double, let json = row[2].json,
                let result = ProbeResult(json: json)
            else { continue }
            found[id] = (result, now - at)
        }
        return found
    }
}
