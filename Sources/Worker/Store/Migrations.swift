import Postgres

/// The schema, as numbered steps embedded in the binary. `migrate` applies the ones a database lacks, each
/// in its own transaction, under an advisory lock so two runs at once do not race.
public enum Migrations {
    static let steps: [(version: Int, name: String, sql: String)] = [
        (
            1, "directory, incidents, alerts, messages, events",
            """
            CREATE TABLE people (
                handle text PRIMARY KEY,
                name text NOT NULL,
                telegram_id bigint NOT NULL,
                username text
            );
            CREATE TABLE services (
                name text PRIMARY KEY,
                escalation_timeout_seconds double precision
            );
            -- Who answers at each level; service '' holds the defaults.
            CREATE TABLE service_levels (
                service text NOT NULL,
                level int NOT NULL CHECK (level BETWEEN 1 AND 3),
                position int NOT NULL,
                handle text NOT NULL REFERENCES people (handle),
                PRIMARY KEY (service, level, position)
            );
            CREATE TABLE incidents (
                id bigserial PRIMARY KEY,
                group_key text NOT NULL,
                service text NOT NULL,
                status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
                level int NOT NULL,
                version int NOT NULL DEFAULT 1,
                state jsonb NOT NULL,
                common_labels jsonb NOT NULL DEFAULT '{}',
                common_annotations jsonb NOT NULL DEFAULT '{}',
                external_url text NOT NULL DEFAULT '',
                truncated_alerts int NOT NULL DEFAULT 0,
                escalates_at_ms bigint,
                opened_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            -- One open incident per Alertmanager group and service; a resolved one may fire again as new.
            CREATE UNIQUE INDEX incidents_open_group ON incidents (group_key, service) WHERE status <> 'resolved';
            CREATE INDEX incidents_status ON incidents (status, opened_at);
            CREATE TABLE alerts (
                incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
                fingerprint text NOT NULL,
                status text NOT NULL,
                body jsonb NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (incident_id, fingerprint)
            );
            -- One card per paged level. desired_version moves when the card should change; sent_version
            -- records what Telegram shows, so repeated or coalesced edits cost nothing.
            CREATE TABLE messages (
                id bigserial PRIMARY KEY,
                incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
                level int NOT NULL,
                chat_id bigint NOT NULL,
                telegram_message_id bigint,
                desired_version int NOT NULL DEFAULT 1,
                sent_version int NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now(),
                posted_at timestamptz,
                UNIQUE (incident_id, level)
            );
            CREATE TABLE events (
                id bigserial PRIMARY KEY,
                incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
                at timestamptz NOT NULL DEFAULT now(),
                kind text NOT NULL,
                actor text,
                level int NOT NULL,
                detail text NOT NULL DEFAULT ''
            );
            CREATE INDEX events_incident ON events (incident_id, id);
            CREATE TABLE settings (
                key text PRIMARY KEY,
                value text NOT NULL
            );
            """
        )
    ]

    /// Applies missing steps; returns the versions applied now.
    @discardableResult
    public static func run(on db: PostgresConnection) throws -> [Int] {
        try db.query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, "
                + "applied_at timestamptz NOT NULL DEFAULT now())")
        return try db.transaction { db in
            try db.query("SELECT pg_advisory_xact_lock(7415)")
            let done = Set(try db.query("SELECT version FROM schema_migrations").all.compactMap { $0.int("version") })
            var applied: [Int] = []
            for step in steps where !done.contains(Int64(step.version)) {
                try db.execute(script: step.sql)
                try db.query(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [String(step.version), step.name])
                applied.append(step.version)
            }
            return applied
        }
    }

    public static var latest: Int { steps.last?.version ?? 0 }
}
