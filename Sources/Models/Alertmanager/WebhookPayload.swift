import Foundation

/// The body Alertmanager posts to a webhook receiver, version 4.
public struct WebhookPayload: Encodable, Sendable, Equatable {
    public var version: String
    public var groupKey: String
    public var truncatedAlerts: Int
    public var status: AlertStatus
    public var receiver: String
    public var groupLabels: [String: String]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String
    public var alerts: [Alert]

    public init(
        groupKey: String, status: AlertStatus, alerts: [Alert], receiver: String = "tocsin",
        groupLabels: [String: String] = [:], commonLabels: [String: String] = [:],
        commonAnnotations: [String: String] = [:], externalURL: String = "", truncatedAlerts: Int = 0
    ) {
        self.version = "4"
        self.groupKey = groupKey
        self.truncatedAlerts = truncatedAlerts
        self.status = status
        self.receiver = receiver
        self.groupLabels = groupLabels
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.externalURL = externalURL
        self.alerts = alerts
    }
}

public enum AlertStatus: String, Codable, Sendable {
    case firing, resolved
}

/// One alert of a notification.
public struct Alert: Codable, Sendable, Equatable {
    public var status: AlertStatus
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: String
    public var endsAt: String
    public var generatorURL: String
    public var fingerprint: String

    public init(
        status: AlertStatus, labels: [String: String], annotations: [String: String] = [:],
        startsAt: String = "2026-01-01T00:00:00Z", endsAt: String = "0001-01-01T00:00:00Z",
        generatorURL: String = "", fingerprint: String = ""
    ) {
        self.status = status
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
        self.fingerprint = fingerprint
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(AlertStatus.self, forKey: .status)
        labels = try container.decode([String: String].self, forKey: .labels)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:]
        startsAt = try container.decodeIfPresent(String.self, forKey: .startsAt) ?? ""
        endsAt = try container.decodeIfPresent(String.self, forKey: .endsAt) ?? ""
        generatorURL = try container.decodeIfPresent(String.self, forKey: .generatorURL) ?? ""
        fingerprint = try container.decodeIfPresent(String.self, forKey: .fingerprint) ?? ""
    }

    /// The alert's identity within its group: Alertmanager's fingerprint, or its sorted labels.
    public var identity: String {
        if !fingerprint.isEmpty { return fingerprint }
        return labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}

// MARK: - Decoding with a clear answer

extension WebhookPayload {
    /// Decodes and checks a webhook body; the error says what is wrong in one line.
    public static func decode(_ body: [UInt8]) throws(PayloadError) -> WebhookPayload {
        let payload = try read(body)
        guard payload.version == "4" else {
            throw PayloadError(reason: "version \(payload.version) is not supported (expected 4)")
        }
        guard !payload.groupKey.isEmpty else { throw PayloadError(reason: "groupKey is empty") }
        guard !payload.alerts.isEmpty else { throw PayloadError(reason: "alerts is empty") }
        return payload
    }

    /// A key equal for two deliveries of the same notification (an HA pair, a retry), and different for
    /// any change in the alerts' states.
    public var deliveryKey: String {
        let alertsPart = alerts.map { "\($0.identity)|\($0.status.rawValue)|\($0.startsAt)|\($0.endsAt)" }.sorted()
        return ([groupKey, status.rawValue, String(truncatedAlerts)] + alertsPart).joined(separator: "\n")
    }
}

/// Why a webhook body was refused.
public struct PayloadError: Error, CustomStringConvertible, Sendable, Equatable {
    public var reason: String
    public var description: String { reason }
}
