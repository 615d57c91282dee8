extension Store {
    /// The schema, one migration per version; a database records its version in `PRAGMA user_version`.
    /// Never edit a shipped migration: append a new one.
    static let migrations: [String] = [
        // 1: every model call, which doubles as the cache of deterministic calls.
        """
        CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            created_at REAL NOT NULL,
            fingerprint TEXT NOT NULL,
            candidate TEXT NOT NULL,
            operation TEXT NOT NULL,
            cacheable INTEGER NOT NULL,
            request TEXT NOT NULL,
            response TEXT,
            tokens_in INTEGER NOT NULL DEFAULT 0,
            tokens_out INTEGER NOT NULL DEFAULT 0,
            latency_ms REAL NOT NULL DEFAULT 0,
            outcome TEXT NOT NULL,
            error TEXT,
            run TEXT
        );
        CREATE INDEX calls_cache ON calls (fingerprint) WHERE outcome = 'ok' AND cacheable = 1;
        CREATE INDEX calls_run ON calls (run);
        """,
        // 2: capability probes, the latest per pool file and candidate.
        """
        CREATE TABLE probes (
            pool TEXT NOT NULL,
            candidate TEXT NOT NULL,
            probed_at REAL NOT NULL,
            result TEXT NOT NULL,
            PRIMARY KEY (pool, candidate)
        );
        """,
        // 3: evaluation runs and their items, committed one by one so a run can resume.
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            config_key TEXT NOT NULL,
            config TEXT NOT NULL,
            status TEXT NOT NULL,
            summary TEXT
        );
        CREATE INDEX runs_config ON runs (config_key);
        CREATE TABLE run_items (
            run TEXT NOT NULL REFERENCES runs (id),
            system TEXT NOT NULL,
            item TEXT NOT NULL,
            position INTEGER NOT NULL,
            result TEXT NOT NULL,
            finished_at REAL NOT NULL,
            PRIMARY KEY (run, system, item)
        );
        """,
    ]

    static var schemaVersion: Int { migrations.count }

    /// Brings the schema to the current version, each step in its own transaction.
    static func migrate(_ db: SQLiteConnection) throws(StoreError) {
        let current = try db.query("PRAGMA user_version").first?.first?.int ?? 0
        guard current <= schemaVersion else {
            throw .newerSchema(path: db.path, found: current, supported: schemaVersion)
        }
        for version in current..<schemaVersion {
            try db.transaction { () throws(StoreError) in
                try db.execute(migrations[version])
                try db.execute("PRAGMA user_version = \(version + 1)")
            }
        }
    }
}
