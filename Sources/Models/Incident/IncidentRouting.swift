/// Splits one notification into the incidents it concerns: one per service, so that each service's owners
/// are paged (SPEC §6).
public enum IncidentRouting {
    /// One service's share of a notification.
    public struct Part: Sendable, Equatable {
        public var service: String
        public var alerts: [Alert]

        public var isFiring: Bool { alerts.contains { $0.status == .firing } }

        /// When the part stopped firing: its alerts' latest `endsAt`, never later than `now`. Alertmanager
        /// sends a resolution up to `group_interval` after it happened, so the time it arrives is not the
        /// time to print; `now` stands in when no alert carries an end.
        public func resolvedAt(now: Double) -> Double {
            let ends = alerts.compactMap { ClockText.parse($0.endsAt) }
            return min(ends.max() ?? now, now)
        }
    }

    /// The service of an alert: the first of `labels` it carries, resolved against the directory.
    public static func service(of alert: Alert, labels: [String], directory: Directory) -> String {
        for label in labels {
            if let value = alert.labels[label], !value.isEmpty {
                let name = directory.serviceName(for: value)
                if name != Directory.defaultService || value == Directory.defaultService { return name }
            }
        }
        return Directory.defaultService
    }

    /// The notification's alerts grouped by service, in the order services first appear.
    public static func split(_ payload: WebhookPayload, labels: [String], directory: Directory) -> [Part] {
        var parts: [Part] = []
        for alert in payload.alerts {
            let name = service(of: alert, labels: labels, directory: directory)
            if let index = parts.firstIndex(where: { $0.service == name }) {
                parts[index].alerts.append(alert)
            } else {
                parts.append(Part(service: name, alerts: [alert]))
            }
        }
        return parts
    }
}
