import Logging
import Models
import Postgres
import Queue

extension JobRunner {
    /// An Alertmanager notification: each service's part opens, updates or resolves its incident.
    func runAlert(_ body: String, logger: Logger) throws -> JobResult {
        var payload: WebhookPayload
        do {
            payload = try WebhookPayload.decode(Array(body.utf8))
        } catch {
            return .failed(reason: "stored notification does not decode: \(error)", transient: false)
        }
        let heartbeats = payload.alerts.filter { $0.labels["alertname"] == Watchdog.heartbeatAlert }
        if !heartbeats.isEmpty {
            // Alertmanager's always-firing Watchdog proves the chain above Tocsin works; it pages nobody.
            try Watchdog(keys: queue.keys).heartbeat(on: queue.connection, logger: logger)
            payload.alerts.removeAll { $0.labels["alertname"] == Watchdog.heartbeatAlert }
            if payload.alerts.isEmpty { return .done(FollowUps()) }
        }
        let directory = try DirectoryStore(db: db).load()
        var next = FollowUps()
        for part in IncidentRouting.split(payload, labels: config.serviceLabels, directory: directory) {
            let partLogger = logger.with(.service, part.service)
            for attempt in 1...3 {
                do {
                    let followUps = try db.transaction { _ in
                        try apply(part, of: payload, directory: directory, logger: partLogger)
                    }
                    next.jobs += followUps.jobs
                    next.cancelled += followUps.cancelled
                    break
                } catch let error as PostgresError where error.sqlState == "23505" && attempt < 3 {
                    continue  // another worker opened this incident a moment ago; now we will find it
                }
            }
        }
        return .done(next)
    }

    private func apply(
        _ part: IncidentRouting.Part, of payload: WebhookPayload, directory: Directory,
        logger: Logger
    ) throws -> FollowUps {
        guard let row = try incidents.openIncident(groupKey: payload.groupKey, service: part.service) else {
            guard part.isFiring else {
                logger.debug("resolved alerts for no open incident; nothing to do")
                return FollowUps()
            }
            let ladder = directory.ladder(for: part.service, fallbackTimeout: config.escalationTimeout)
            let startLevel = part.alerts.compactMap { $0.labels[Watchdog.startLevelLabel].flatMap(Int.init) }.max() ?? 1
            let state = IncidentState(ladder: ladder, startLevel: startLevel)
            let created = try incidents.create(groupKey: payload.groupKey, payload: payload, state: state)
            _ = try incidents.upsertAlerts(created.id, alerts: part.alerts)
            try incidents.record(
                created.id,
                HistoryEntry(
                    kind: "opened", actor: "alertmanager", level: state.level,
                    detail: "\(part.alerts.count) alert(s) firing; paging level \(state.level)"))
            let message = try incidents.addMessage(incidentID: created.id, level: state.level, chatID: try chatID())
            logger.info("incident opened", (.incident, String(created.id)), (.level, String(state.level)))
            var next = FollowUps()
            next.jobs.append(Self.postJob(message))
            return next
        }

        try incidents.updateNotification(row.id, payload: payload)
        let changed = try incidents.upsertAlerts(row.id, alerts: part.alerts)
        if !part.isFiring {
            let now = Double(try queue.connection.serverTimeMillis()) / 1000
            let transition = row.state.apply(.resolve(at: part.resolvedAt(now: now)))
            logger.info("incident resolved", (.incident, String(row.id)))
            return try commit(transition, to: row) ?? FollowUps()
        }
        guard changed else { return FollowUps() }
        var next = FollowUps()
        next.jobs = try incidents.requestEdits(row.id).map(Self.editJob)
        return next
    }
}
