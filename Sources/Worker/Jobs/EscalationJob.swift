import Logging
import Models
import Queue

extension JobRunner {
    /// A level's timer ran out: page the next level, unless somebody answered, forwarded or the alerts
    /// resolved meanwhile. The incident row is locked and its version compared, so a timer and a click that
    /// meet never both win, and a timer run twice changes nothing the second time.
    func runEscalation(incidentID: Int64, level: Int, logger: Logger) throws -> JobResult {
        let now = Double(try queue.connection.serverTimeMillis()) / 1000
        let next: FollowUps? = try db.transaction { _ in
            guard let incident = try incidents.incident(id: incidentID) else { return FollowUps() }
            let transition = incident.state.apply(.timerExpired(level: level, at: now))
            guard transition.changed else {
                logger.debug("stale timer ignored", (.incident, String(incidentID)), (.level, String(level)))
                return FollowUps()
            }
            logger.info("no answer; escalating", (.incident, String(incidentID)), (.level, String(level)))
            return try commit(transition, to: incident)
        }
        guard let next else {
            return .failed(reason: "incident \(incidentID) changed during escalation", transient: true)
        }
        return .done(next)
    }
}
