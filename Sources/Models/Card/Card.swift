/// A card ready for `sendMessage` or `editMessageText`: HTML text and the rows of its inline keyboard.
public struct Card: Sendable, Equatable {
    public var html: String
    public var buttons: [[Button]]

    public struct Button: Sendable, Equatable {
        public var text: String
        public var callbackData: String

        public init(text: String, callbackData: String) {
            self.text = text
            self.callbackData = callbackData
        }
    }

    public init(html: String, buttons: [[Button]]) {
        self.html = html
        self.buttons = buttons
    }
}

/// Everything a card shows, gathered by the worker from the incident's rows.
public struct CardContext: Sendable {
    public var incidentID: Int64
    public var state: IncidentState
    /// The level of the card being drawn.
    public var cardLevel: Int
    public var alerts: [Alert]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var alertmanagerURL: String
    /// Alerts Alertmanager left out of the notification (`truncatedAlerts`).
    public var truncatedAlerts: Int
    /// When the current level's timer runs out, if it runs.
    public var escalatesAt: Double?

    public init(
        incidentID: Int64, state: IncidentState, cardLevel: Int, alerts: [Alert],
        commonLabels: [String: String] = [:], commonAnnotations: [String: String] = [:],
        alertmanagerURL: String = "", truncatedAlerts: Int = 0, escalatesAt: Double? = nil
    ) {
        self.incidentID = incidentID
        self.state = state
        self.cardLevel = cardLevel
        self.alerts = alerts
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.alertmanagerURL = alertmanagerURL
        self.truncatedAlerts = truncatedAlerts
        self.escalatesAt = escalatesAt
    }
}
