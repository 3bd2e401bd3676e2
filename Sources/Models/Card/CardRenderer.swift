/// Draws an incident's card for one level.
///
/// The card never passes Telegram's 4096-character limit: the header, links, people and status lines are
/// laid out first, then alerts are added whole while they fit, and the rest is summed up as "… and N more".
/// Cutting between whole alerts means a tag is never cut in half.
public enum CardRenderer {
    public static let telegramLimit = 4096
    /// Room kept below the limit for the "… and N more" line.
    static let tailReserve = 40

    public static func render(_ context: CardContext) -> Card {
        let head = header(context)
        let tail = footer(context)
        let alertLines = alertLines(context)
        var body = HTMLText()
        var shown = 0
        let budget = telegramLimit - head.visibleLength - tail.visibleLength - tailReserve
        for line in alertLines {
            guard body.visibleLength + line.visibleLength <= budget else { break }
            body += line
            shown += 1
        }
        let hidden = alertLines.count - shown + context.truncatedAlerts
        if hidden > 0 { body += .plain("… and \(hidden) more\n") }
        return Card(html: (head + body + tail).html, buttons: buttons(context))
    }

    // MARK: - Parts

    private static func header(_ context: CardContext) -> HTMLText {
        let firing = context.alerts.filter { $0.status == .firing }
        let first = firing.first ?? context.alerts.first
        let labels = first?.labels ?? [:]
        let severity = (context.commonLabels["severity"] ?? labels["severity"] ?? "unknown").uppercased()
        let name = context.commonLabels["alertname"] ?? labels["alertname"] ?? "alert"
        let icon = context.state.status == .resolved ? "✅" : (severity == "CRITICAL" ? "🔴" : "🟠")
        var text = HTMLText.plain("\(icon) ")
        text += .tag("b", .escaped(severity, limit: 40)) + .plain(" · ") + .tag("b", .escaped(name, limit: 200))
        text += .plain("\nService: ") + .tag("code", .escaped(context.state.ladder.service, limit: 200))
        let summary = headline(context)
        if let summary, !summary.isEmpty {
            text += .plain("\n") + .tag("i", .escaped(summary, limit: 600))
        }
        let description = context.commonAnnotations["description"]
        if let description, !description.isEmpty, description != summary {
            text += .plain("\n") + .escaped(description, limit: 600)
        }
        let label = context.state.status == .resolved ? "Alerts" : "Firing"
        text += .plain("\n\n\(label) (\(firing.isEmpty ? context.alerts.count : firing.count)):\n")
        return text
    }

    /// The summary under the title: the group's common one, else the first firing alert's. An alert line
    /// repeats its own summary only when it says something else.
    private static func headline(_ context: CardContext) -> String? {
        let first = context.alerts.first { $0.status == .firing } ?? context.alerts.first
        return context.commonAnnotations["summary"] ?? first?.annotations["summary"]
    }

    private static func alertLines(_ context: CardContext) -> [HTMLText] {
        let firing = context.alerts.filter { $0.status == .firing }
        let shown = firing.isEmpty ? context.alerts : firing
        return shown.map { alert in
            let where_ = alert.labels["instance"] ?? alert.labels["service"] ?? alert.labels["job"] ?? "?"
            var line = HTMLText.plain("• ") + .tag("code", .escaped(where_, limit: 120))
            if let value = alert.annotations["value"], !value.isEmpty {
                line += .plain(" — ") + .escaped(value, limit: 60)
            }
            if let since = ClockText.parse(alert.startsAt) {
                line += .plain(" — since \(ClockText.time(since))")
            }
            if let summary = alert.annotations["summary"], summary != headline(context), !summary.isEmpty {
                line += .plain(" — ") + .escaped(summary, limit: 200)
            }
            return line + .plain("\n")
        }
    }

    private static func footer(_ context: CardContext) -> HTMLText {
        let state = context.state
        var links: [HTMLText] = []
        if let generator = context.alerts.first(where: { !$0.generatorURL.isEmpty })?.generatorURL,
            generator.count < 1500
        {
            links.append(.link(generator, .plain("Prometheus")))
        }
        if !context.alertmanagerURL.isEmpty, context.alertmanagerURL.count < 1500 {
            links.append(.link(context.alertmanagerURL, .plain("Alertmanager")))
        }
        var text = HTMLText()
        if !links.isEmpty { text += .plain("\n") + .joined(links, separator: " · ") + .plain("\n") }

        let people = state.ladder.people(at: context.cardLevel)
        text += .plain("\nLevel \(context.cardLevel): ")
        text += people.isEmpty ? .plain("nobody") : .joined(people.map(mention), separator: " ")

        if let handoff = state.card(at: context.cardLevel)?.handoff {
            let names = plainNames(state.ladder.people(at: handoff.nextLevel))
            switch handoff {
            case .forwarded(let actor, let time, let target):
                text +=
                    .plain("\n↪ Forwarded by ") + .escaped(actor.plainName, limit: 64)
                    + .plain(" at \(ClockText.time(time)) to level \(target): ") + .escaped(names, limit: 300)
            case .timedOut(let after, let time, let target):
                text +=
                    .plain(
                        "\n⏱ No answer in \(Duration.format(after)); level \(target) paged at "
                            + "\(ClockText.time(time)): ") + .escaped(names, limit: 300)
            }
        }
        switch state.status {
        case .acknowledged:
            text += .plain("\n✅ Acknowledged by ") + .escaped(state.acknowledgedBy?.plainName ?? "?", limit: 64)
            text += .plain(state.acknowledgedAt.map { " at \(ClockText.time($0))" } ?? "")
        case .resolved:
            text += .plain("\n✔️ Resolved" + (state.resolvedAt.map { " at \(ClockText.time($0))" } ?? ""))
        case .open:
            if state.exhausted, context.cardLevel == state.level {
                text += .plain("\n⏱ No answer in \(Duration.format(state.ladder.timeout)) at the last level.")
            } else if context.cardLevel == state.level, let due = context.escalatesAt,
                let next = state.ladder.nextLevel(after: state.level)
            {
                let names = plainNames(state.ladder.people(at: next))
                text += .plain("\n→ level \(next), ") + .escaped(names, limit: 300)
                text += .plain(", at \(ClockText.time(due))")
            }
        }
        return text
    }

    private static func buttons(_ context: CardContext) -> [[Card.Button]] {
        let state = context.state
        guard state.status == .open else { return [] }
        var row = [
            Card.Button(
                text: "✅ Acknowledge",
                callbackData: CallbackData(
                    action: .acknowledge, incidentID: context.incidentID, level: context.cardLevel
                ).encoded)
        ]
        if context.cardLevel == state.level, !state.exhausted, state.ladder.nextLevel(after: state.level) != nil {
            row.append(
                Card.Button(
                    text: "↪ Forward",
                    callbackData: CallbackData(
                        action: .forward, incidentID: context.incidentID, level: context.cardLevel
                    ).encoded))
        }
        return [row]
    }

    // MARK: - People

    /// A mention that notifies: `@username`, or a link to the person's id.
    private static func mention(_ person: Person) -> HTMLText {
        if let username = person.username { return .escaped("@" + username, limit: 64) }
        return .link("tg://user?id=\(person.telegramID)", .escaped(person.name, limit: 64))
    }

    private static func plainNames(_ people: [Person]) -> String {
        people.isEmpty ? "nobody" : people.map(\.name).joined(separator: ", ")
    }
}
