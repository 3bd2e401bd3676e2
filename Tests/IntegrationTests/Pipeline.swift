import Foundation
import HTTPClient
import HTTPServer
import Ingest
import Logging
import Models
import Postgres
import TelegramSimulator
import Worker

/// A whole Tocsin in the test process: the Bot API simulator on a port, the ingest on a port, worker loops
/// on threads of their own, all on a fresh key prefix and schema of the real Redis and PostgreSQL.
final class Pipeline {
    static let token = "4242:TEST-token-never-logged"
    static let chatID: Int64 = -1_001_000_000_777
    /// The supergroup the group becomes in the migration test.
    static let supergroupID: Int64 = -1_009_999_999_999
    static let members = [
        SimUser(id: 100001, username: "wukong", firstName: "Wukong"),
        SimUser(id: 100002, username: "bajie", firstName: "Bajie"),
        SimUser(id: 100003, firstName: "Sanzang"),
        SimUser(id: 100004, username: "outsider", firstName: "Outsider"),
    ]

    let config: Config
    let simulator: BotSimulator
    let logs = LogSink.memory()
    private var servers: [HTTPServer] = []
    private let stop = StopSignal()
    private let finished = DispatchGroup()
    let simulatorURL: String
    let ingestURL: String
    private let http = HTTPClient()

    init(
        timeout: String = "1s", updates: String = "polling", workers: Int = 2, chatRate: String = "100000/1s",
        webhookToken: String? = nil, extra: [String: String] = [:], migratedGroup: Bool = false,
        directory: String = StoreTests.example.replacingOccurrences(of: "  escalation_timeout: 5m\n", with: "")
    ) throws {
        simulator = BotSimulator(
            config: SimulatorConfig(
                token: Self.token, chatID: migratedGroup ? Self.supergroupID : Self.chatID,
                members: Self.members, migratedFromChatID: migratedGroup ? Self.chatID : nil),
            deliver: { url, secret, body in
                var headers = ["Content-Type: application/json"]
                if let secret { headers.append("X-Telegram-Bot-Api-Secret-Token: \(secret)") }
                return (try? HTTPClient().send(url: url, headers: headers, body: body, timeout: 5).status) ?? 0
            })
        let simulator = self.simulator
        let simServer = try HTTPServer(address: "127.0.0.1:0") { simulator.handle($0) }
        servers.append(simServer)
        simulatorURL = "http://127.0.0.1:\(simServer.port)"

        let databaseURL = try TestServices.freshSchema()
        try DirectoryStore(db: PostgresConnection(conninfo: databaseURL)).replace(with: DirectoryFile.parse(directory))
        var environment = [
            "TOCSIN_REDIS_URL": TestServices.redisURL, "TOCSIN_DATABASE_URL": databaseURL,
            "TOCSIN_KEY_PREFIX": TestServices.uniqueName("e2e"), "TOCSIN_LISTEN": "127.0.0.1:0",
            "TOCSIN_ESCALATION_TIMEOUT": timeout, "TELEGRAM_BOT_TOKEN": Self.token,
            "TELEGRAM_CHAT_ID": String(Self.chatID), "TELEGRAM_API_URL": simulatorURL, "TELEGRAM_UPDATES": updates,
            "TELEGRAM_WEBHOOK_SECRET": "hook-secret_1", "TELEGRAM_CHAT_RATE": chatRate,
            "TELEGRAM_GLOBAL_RATE": "100000/1s", "TOCSIN_WORKER_THREADS": String(workers), "TOCSIN_JOB_LEASE": "5s",
        ]
        environment["TOCSIN_WEBHOOK_TOKEN"] = webhookToken
        environment.merge(extra) { $1 }
        config = try Config(environment: environment)
        let logger = Logger(component: "test", level: .debug, sink: logs)

        let ingest = try IngestServer(config: config, logger: logger).start()
        servers.append(ingest)
        ingestURL = "http://127.0.0.1:\(ingest.port)"
        if updates == "webhook" {
            _ = TelegramClient(apiURL: simulatorURL, token: Self.token)
                .setWebhook(url: ingestURL + "/telegram", secret: config.webhookSecret)
        }
        for index in 0..<workers {
            spawn { [config, stop] in
                WorkerLoop(config: config, consumer: "test-\(index)", stop: stop, logger: logger).run()
            }
        }
        if updates == "polling" {
            spawn { [config, stop] in UpdatePoller(config: config, holder: "poller", stop: stop, logger: logger).run() }
        }
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        finished.enter()
        Thread { [finished] in
            body()
            finished.leave()
        }.start()
    }

    /// Stops the workers (they finish the job in hand) and the servers.
    func shutdown() {
        stop.stop()
        simulator.shutdown()
        finished.wait()
        servers.forEach { $0.stop() }
    }

    deinit { shutdown() }

    // MARK: - Driving it

    @discardableResult
    func postAlert(_ body: String, contentType: String = "application/json", token: String? = nil) throws -> Int {
        var headers = ["Content-Type: \(contentType)"]
        if let token { headers.append("Authorization: Bearer \(token)") }
        return try http.send(url: ingestURL + "/alertmanager", headers: headers, body: Array(body.utf8)).status
    }

    func get(_ path: String) throws -> (Int, String) {
        let response = try http.send(method: "GET", url: ingestURL + path)
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// The group's messages as the simulator holds them.
    func messages(chat: Int64 = Pipeline.chatID) -> [[String: Any]] {
        let answer = simulator.handle(
            HTTPRequest(
                method: "GET", path: "/sim/messages",
                query: ["chat_id": String(chat)]))
        return (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [[String: Any]] ?? []
    }

    func answers() -> [[String: Any]] {
        let answer = simulator.handle(HTTPRequest(method: "GET", path: "/sim/answers"))
        return (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [[String: Any]] ?? []
    }

    /// Clicks a button of a message as a member.
    func click(_ message: [String: Any], button: Int, as user: Int64, chat: Int64 = Pipeline.chatID) {
        let data = Self.buttons(message)[button].data
        let body: [String: Any] = [
            "chat_id": chat, "message_id": message["message_id"] as? Int ?? 0,
            "user_id": user, "data": data,
        ]
        _ = simulator.handle(
            HTTPRequest(
                method: "POST", path: "/sim/click",
                headers: ["content-type": "application/json"],
                body: Array(try! JSONSerialization.data(withJSONObject: body))))
    }

    /// Clicks with arbitrary callback data (forged buttons).
    func click(messageID: Int, data: String, as user: Int64) -> [String: Any] {
        let body: [String: Any] = [
            "chat_id": Self.chatID, "message_id": messageID, "user_id": user, "data": data, "stale": true,
        ]
        let answer = simulator.handle(
            HTTPRequest(
                method: "POST", path: "/sim/click",
                headers: ["content-type": "application/json"],
                body: Array(try! JSONSerialization.data(withJSONObject: body))))
        return (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] ?? [:]
    }

    /// A member writes `text` in the group (a bot command).
    func say(_ text: String, as user: Int64) {
        let body: [String: Any] = ["chat_id": Self.chatID, "user_id": user, "text": text]
        _ = simulator.handle(
            HTTPRequest(
                method: "POST", path: "/sim/send", headers: ["content-type": "application/json"],
                body: Array(try! JSONSerialization.data(withJSONObject: body))))
    }

    static func buttons(_ message: [String: Any]) -> [(text: String, data: String)] {
        let markup = message["reply_markup"] as? [String: Any]
        let rows = markup?["inline_keyboard"] as? [[[String: Any]]] ?? []
        return rows.joined().map { ($0["text"] as? String ?? "", $0["callback_data"] as? String ?? "") }
    }

    static func text(_ message: [String: Any]) -> String { message["text"] as? String ?? "" }

    /// Waits until `condition` holds, up to `seconds`; returns whether it did.
    @discardableResult
    func wait(_ seconds: Double = 20, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition()
    }
}

/// Alertmanager-shaped notifications.
enum Notifications {
    static func make(
        group: String = "{}:{alertname=\"HostMemoryHigh\"}", status: String = "firing",
        alerts: [(service: String, fingerprint: String, status: String)] = [("payments", "f1", "firing")],
        summary: String = "Memory above 80 %", startsAt: String = "2026-12-03T14:01:05Z"
    ) -> String {
        let list: [[String: Any]] = alerts.map { alert in
            [
                "status": alert.status,
                "labels": [
                    "alertname": "HostMemoryHigh", "service": alert.service, "severity": "critical",
                    "instance": "\(alert.service):9100",
                ],
                "annotations": ["summary": summary],
                "startsAt": startsAt,
                "endsAt": alert.status == "firing" ? "0001-01-01T00:00:00Z" : "2026-12-03T14:31:05Z",
                "generatorURL": "http://127.0.0.1:9090/graph", "fingerprint": alert.fingerprint,
            ]
        }
        let body: [String: Any] = [
            "version": "4", "groupKey": group, "status": status, "receiver": "tocsin", "truncatedAlerts": 0,
            "groupLabels": ["alertname": "HostMemoryHigh"],
            "commonLabels": ["alertname": "HostMemoryHigh", "severity": "critical"],
            "commonAnnotations": ["summary": summary], "externalURL": "http://127.0.0.1:9093", "alerts": list,
        ]
        return String(
            decoding: try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
    }
}
