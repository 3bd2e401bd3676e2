import Models
import Postgres

/// An incident row: its state, kept as JSON, and the version that guards every change.
public struct IncidentRow: Sendable {
    public var id: Int64
    public var groupKey: String
    public var service: String
    public var version: Int
    public var state: IncidentState
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String
    public var truncatedAlerts: Int
    public var escalatesAtMillis: Int64?
}

/// A card row: which level it pages, and what Telegram shows of it.
public struct MessageRow: Sendable {
    public var id: Int64
    public var incidentID: Int64
    public var level: Int
    public var chatID: Int64
    public var telegramMessageID: Int64?
    public var desiredVersion: Int
    public var sentVersion: Int
}

/// Incidents, their alerts, cards and history in PostgreSQL. Callers run these inside a transaction and
/// lock the incident row first (`incident(id:lock:)`), so that two jobs on one incident take turns.
public struct IncidentStore {
    let db: PostgresConnection

    public init(db: PostgresConnection) {
        self.db = db
    }

    static let incidentColumns =
        "id, group_key, service, version, state::text AS state, common_labels::text AS cl, "
        + "common_annotations::text AS ca, external_url, truncated_alerts, escalates_at_ms"

    // MARK: - Incidents

    public func openIncident(groupKey: String, service: String) throws -> IncidentRow? {
        try db.query(
            "SELECT \(Self.incidentColumns) FROM incidents WHERE group_key = $1 AND service = $2 "
                + "AND status <> 'resolved' FOR UPDATE", [groupKey, service]
        ).first.map(Self.incident)
    }

    public func incident(id: Int64, lock: Bool = true) throws -> IncidentRow? {
        try db.query(
            "SELECT \(Self.incidentColumns) FROM incidents WHERE id = $1" + (lock ? " FOR UPDATE" : ""),
            [String(id)]
        ).first.map(Self.incident)
    }

    /// Inserts a new incident; throws a unique violation (23505) when another worker opened it first.
    public func create(groupKey: String, payload: WebhookPayload, state: IncidentState) throws -> IncidentRow {
        let rows = try db.query(
            "INSERT INTO incidents (group_key, service, status, level, state, common_labels, common_annotations, "
                + "external_url, truncated_alerts) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9) "
                + "RETURNING \(Self.incidentColumns)",
            [
                groupKey, state.ladder.service, state.status.rawValue, String(state.level), try JSONText.encode(state),
                try JSONText.encode(payload.commonLabels), try JSONText.encode(payload.commonAnnotations),
                payload.externalURL, String(payload.truncatedAlerts),
            ])
        guard let row = rows.first else {
            throw PostgresError(.server, message: "insert returned no row", statement: "INSERT INTO incidents")
        }
        return Self.incident(row)
    }

    /// Writes a new state if the row still has `expected` version (compare-and-set); false when it moved.
    public func save(_ row: IncidentRow, state: IncidentState, expected: Int) throws -> Bool {
        try db.query(
            "UPDATE incidents SET state = $1::jsonb, status = $2, level = $3, version = version + 1, "
                + "updated_at = now() WHERE id = $4 AND version = $5",
            [
                try JSONText.encode(state), state.status.rawValue, String(state.level), String(row.id),
                String(expected),
            ]
        ).affected == 1
    }

    public func updateNotification(_ id: Int64, payload: WebhookPayload) throws {
        try db.query(
            "UPDATE incidents SET common_labels = $1::jsonb, common_annotations = $2::jsonb, "
                + "external_url = $3, truncated_alerts = $4, updated_at = now() WHERE id = $5",
            [
                try JSONText.encode(payload.commonLabels), try JSONText.encode(payload.commonAnnotations),
                payload.externalURL, String(payload.truncatedAlerts), String(id),
            ])
    }

    public func setEscalation(_ id: Int64, atMillis: Int64?) throws {
        try db.query(
            "UPDATE incidents SET escalates_at_ms = $1 WHERE id = $2", [atMillis.map { String($0) }, String(id)])
    }

    // MARK: - Alerts

    /// Stores the alerts of a notification; returns whether anything a card shows changed.
    public func upsertAlerts(_ id: Int64, alerts: [Alert]) throws -> Bool {
        var changed = false
        for alert in alerts {
            let body = try JSONText.encode(alert)
            let result = try db.query(
                "INSERT INTO alerts (incident_id, fingerprint, status, body) VALUES ($1, $2, $3, $4::jsonb) "
                    + "ON CONFLICT (incident_id, fingerprint) DO UPDATE SET status = EXCLUDED.status, "
                    + "body = EXCLUDED.body, updated_at = now() WHERE alerts.body <> EXCLUDED.body",
                [String(id), alert.identity, alert.status.rawValue, body])
            changed = changed || result.affected > 0
        }
        return changed
    }

    /// The incident's alerts, firing first, then by start time.
    public func alerts(_ id: Int64) throws -> [Alert] {
        try db.query(
            "SELECT body::text AS body FROM alerts WHERE incident_id = $1 "
                + "ORDER BY status = 'firing' DESC, body->>'startsAt', fingerprint", [String(id)]
        )
        .all.compactMap { row in row["body"].flatMap { try? JSONText.decode(Alert.self, $0) } }
    }

    // MARK: - Cards

    public func messages(_ incidentID: Int64) throws -> [MessageRow] {
        try db.query("SELECT * FROM messages WHERE incident_id = $1 ORDER BY level", [String(incidentID)])
            .all.map(Self.message)
    }

    public func message(id: Int64, lock: Bool) throws -> MessageRow? {
        try db.query("SELECT * FROM messages WHERE id = $1" + (lock ? " FOR UPDATE" : ""), [String(id)])
            .first.map(Self.message)
    }

    /// Records a card to post; returns its id (the existing one when this level's card is recorded).
    public func addMessage(incidentID: Int64, level: Int, chatID: Int64) throws -> Int64 {
        let rows = try db.query(
            "INSERT INTO messages (incident_id, level, chat_id) VALUES ($1, $2, $3) "
                + "ON CONFLICT (incident_id, level) DO UPDATE SET level = EXCLUDED.level RETURNING id",
            [String(incidentID), String(level), String(chatID)])
        return rows.first?.int("id") ?? 0
    }

    /// Marks every card of the incident as needing an edit; returns the ids of those already posted.
    public func requestEdits(_ incidentID: Int64) throws -> [Int64] {
        try db.query(
            "UPDATE messages SET desired_version = desired_version + 1 WHERE incident_id = $1 "
                + "RETURNING id, telegram_message_id", [String(incidentID)]
        )
        .all.filter { $0["telegram_message_id"] != nil }.compactMap { $0.int("id") }
    }

    public func markPosted(_ id: Int64, telegramMessageID: Int64, version: Int) throws {
        try db.query(
            "UPDATE messages SET telegram_message_id = $1, sent_version = $2, posted_at = now() "
                + "WHERE id = $3", [String(telegramMessageID), String(version), String(id)])
    }

    public func markSynced(_ id: Int64, version: Int) throws {
        try db.query(
            "UPDATE messages SET sent_version = GREATEST(sent_version, $1) WHERE id = $2",
            [String(version), String(id)])
    }

    // MARK: - History

    public func record(_ incidentID: Int64, _ entry: HistoryEntry) throws {
        try db.query(
            "INSERT INTO events (incident_id, kind, actor, level, detail) VALUES ($1, $2, $3, $4, $5)",
            [String(incidentID), entry.kind, entry.actor, String(entry.level), entry.detail])
    }

    // MARK: - Rows

    static func incident(_ row: PostgresRow) -> IncidentRow {
        let state =
            (try? JSONText.decode(IncidentState.self, row["state"] ?? ""))
            ?? IncidentState(
                ladder: Ladder(service: row["service"] ?? "", levels: [], timeout: 300))
        return IncidentRow(
            id: row.int("id") ?? 0, groupKey: row["group_key"] ?? "", service: row["service"] ?? "",
            version: Int(row.int("version") ?? 0), state: state,
            commonLabels: (try? JSONText.decode([String: String].self, row["cl"] ?? "{}")) ?? [:],
            commonAnnotations: (try? JSONText.decode([String: String].self, row["ca"] ?? "{}")) ?? [:],
            externalURL: row["external_url"] ?? "", truncatedAlerts: Int(row.int("truncated_alerts") ?? 0),
            escalatesAtMillis: row.int("escalates_at_ms"))
    }

    static func message(_ row: PostgresRow) -> MessageRow {
        MessageRow(
            id: row.int("id") ?? 0, incidentID: row.int("incident_id") ?? 0, level: Int(row.int("level") ?? 1),
            chatID: row.int("chat_id") ?? 0, telegramMessageID: row.int("telegram_message_id"),
            desiredVersion: Int(row.int("desired_version") ?? 1), sentVersion: Int(row.int("sent_version") ?? 0))
    }
}
