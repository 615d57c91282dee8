import Foundation

/// A stored run (an evaluation), as listed by `panel runs`.
public struct RunRecord: Sendable, Equatable {
    /// The run's id.
    public var id: String
    /// What kind of run ("evaluate").
    public var kind: String
    /// When it was created and last written (seconds since 1970).
    public var createdAt: Double
    /// When it was last written.
    public var updatedAt: Double
    /// The fingerprint of its configuration: a run with the same key resumes it.
    public var configKey: String
    /// Its configuration.
    public var config: JSONValue
    /// `running` or `complete`.
    public var status: String
    /// Its summary, once complete.
    public var summary: JSONValue?
    /// Items committed so far.
    public var itemCount: Int
}

extension Store {
    /// Creates a run.
    public func createRun(id: String, kind: String, configKey: String, config: JSONValue) throws(StoreError) {
        let now = Date().timeIntervalSince1970
        try db.query(
            "INSERT INTO runs (id, kind, created_at, updated_at, config_key, config, status) VALUES (?, ?, ?, ?, ?, ?, 'running')",
            [.text(id), .text(kind), .real(now), .real(now), .text(configKey), .text(config.serialized())])
    }

    /// The latest run with this configuration key, if any.
    public func latestRun(configKey: String) throws(StoreError) -> RunRecord? {
        let rows = try db.query("SELECT id FROM runs WHERE config_key = ? ORDER BY created_at DESC LIMIT 1", [.text(configKey)])
        guard let id = rows.first?.first?.string else { return nil }
        return try run(id)
    }

    /// The run with `id`, if it exists.
    public func run(_ id: String) throws(StoreError) -> RunRecord? {
        let rows = try db.query(
            """
            SELECT r.id, r.kind, r.created_at, r.updated_at, r.config_key, r.config, r.status, r.summary,
                   (SELECT COUNT(*) FROM run_items i WHERE i.run = r.id)
            FROM runs r WHERE r.id = ?
            """, [.text(id)])
        return rows.first.map(Self.runRecord)
    }

    /// Every run, newest first.
    public func runs(limit: Int = 50) throws(StoreError) -> [RunRecord] {
        try db.query(
            """
            SELECT r.id, r.kind, r.created_at, r.updated_at, r.config_key, r.config, r.status, r.summary,
                   (SELECT COUNT(*) FROM run_items i WHERE i.run = r.id)
            FROM runs r ORDER BY r.created_at DESC LIMIT ?
            """, [.int(limit)]
        ).map(Self.runRecord)
    }

    private static func runRecord(_ row: [SQLiteValue]) -> RunRecord {
        RunRecord(
            id: row[0].string ?? "", kind: row[1].string ?? "", createdAt: row[2].double ?? 0, updatedAt: row[3].double ?? 0,
            configKey: row[4].string ?? "", config: row[5].json ?? .null, status: row[6].string ?? "",
            summary: row[7].json, itemCount: row[8].int ?? 0)
    }

    /// Commits one finished item of a run. A second commit of the same (system, item) is ignored,
    /// so a resumed run can never duplicate an item. Returns whether the row was new.
    @discardableResult
    public func saveRunItem(run: String, system: String, item: String, position: Int, result: JSONValue)
        throws(StoreError) -> Bool
    {
        let now = Date().timeIntervalSince1970
        return try db.transaction { () throws(StoreError) -> Bool in
            try db.query(
                "INSERT OR IGNORE INTO run_items (run, system, item, position, result, finished_at) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(run), .text(system), .text(item), .int(position), .text(result.serialized()), .real(now)])
            let changed = try db.query("SELECT changes()").first?.first?.int ?? 0
            try db.query("UPDATE runs SET updated_at = ? WHERE id = ?", [.real(now), .text(run)])
            return changed > 0
        }
    }

    /// A run's committed items in (position, system) order.
    public func runItems(_ run: String) throws(StoreError) -> [(system: String, item: String, position: Int, result: JSONValue)] {
        try db.query(
            "SELECT system, item, position, result FROM run_items WHERE run = ? ORDER BY position, system", [.text(run)]
        ).map { ($0[0].string ?? "", $0[1].string ?? "", $0[2].int ?? 0, $0[3].json ?? .null) }
    }

    /// Marks a run complete with its summary.
    public func completeRun(_ id: String, summary: JSONValue) throws(StoreError) {
        try db.query(
            "UPDATE runs SET status = 'complete', summary = ?, updated_at = ? WHERE id = ?",
            [.text(summary.serialized()), .real(Date().timeIntervalSince1970), .text(id)])
    }
}
