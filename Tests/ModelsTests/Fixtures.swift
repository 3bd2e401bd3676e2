@testable import Models

/// Shared test data: the SPEC §5 directory and Alertmanager 0.25-shaped payloads.
enum Fixtures {
    static let wukong = Person(handle: "wukong", name: "Sun Wukong", telegramID: 100001, username: "wukong")
    static let bajie = Person(handle: "bajie", name: "Zhu Bajie", telegramID: 100002, username: "bajie")
    static let sanzang = Person(handle: "sanzang", name: "Tang Sanzang", telegramID: 100003)

    static let directory = Directory(
        people: ["wukong": wukong, "bajie": bajie, "sanzang": sanzang],
        services: [
            "payments": ServiceEntry(name: "payments", levels: [1: ["wukong"]]),
            "node-01.example.com": ServiceEntry(
                name: "node-01.example.com", levels: [1: ["wukong"]],
                escalationTimeout: 120),
            "default": ServiceEntry(name: "default", levels: [1: ["sanzang"]]),
        ],
        defaults: ServiceEntry(name: "", levels: [2: ["bajie"], 3: ["sanzang"]], escalationTimeout: 300))

    static let ladder = Ladder(service: "payments", levels: [[wukong], [bajie], [sanzang]], timeout: 300)

    static let alice = Actor(telegramID: 100001, username: "wukong", firstName: "Wukong")
    static let bob = Actor(telegramID: 100002, username: "bajie", firstName: "Bajie")

    static func alert(
        _ name: String = "HostMemoryHigh", service: String = "payments", status: AlertStatus = .firing,
        instance: String = "node-01.example.com:9100", summary: String = "Memory above 80 %",
        fingerprint: String = "a1"
    ) -> Alert {
        Alert(
            status: status,
            labels: [
                "alertname": name, "service": service, "instance": instance,
                "severity": "critical",
            ],
            annotations: ["summary": summary], startsAt: "2026-12-03T14:01:05.123Z",
            endsAt: status == .firing ? "0001-01-01T00:00:00Z" : "2026-12-03T14:20:00Z",
            generatorURL: "http://127.0.0.1:9090/graph?g0.expr=up", fingerprint: fingerprint)
    }

    /// A firing notification as Alertmanager 0.25 posts it.
    static let firingJSON = """
        {"receiver":"tocsin","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HostMemoryHigh",
        "instance":"node-01.example.com:9100","job":"node","service":"payments","severity":"critical"},
        "annotations":{"summary":"Memory at 93 %"},"startsAt":"2026-12-03T14:01:05.123456789Z",
        "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph?g0.expr=x",
        "fingerprint":"5c1b2fa3a7d1c3e4"}],"groupLabels":{"alertname":"HostMemoryHigh","service":"payments"},
        "commonLabels":{"alertname":"HostMemoryHigh","severity":"critical","service":"payments"},
        "commonAnnotations":{"summary":"Memory at 93 %"},"externalURL":"http://alertmanager:9093",
        "version":"4","groupKey":"{}:{alertname=\\"HostMemoryHigh\\", service=\\"payments\\"}","truncatedAlerts":0}
        """
}
