import Foundation
import HTTPClient
import Postgres
import Redis
import Worker

/// Tocsin as real processes: the simulator, `tocsin ingest` and `tocsin worker`s, each a child process the
/// test can kill, stop or restart. With `ownDatastores` it also runs a Redis and a PostgreSQL of its own
/// (through `ops/datastores`), so a test may kill those too without disturbing the other tests.
/// @unchecked Sendable: processes are started and signalled from the test thread only; other threads only
/// post webhooks, which reads immutable fields.
final class Cluster: @unchecked Sendable {
    static let token = "7777:CRASH-test-token-secret"
    static let chatID: Int64 = -1_001_000_000_888
    static let members = "100001:wukong:Sun Wukong,100002:bajie:Zhu Bajie,100003::Tang Sanzang"
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binaries: URL {
        if let dir = ProcessInfo.processInfo.environment["TOCSIN_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("tocsin").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    let folder: URL
    let environment: [String: String]
    let simulatorURL: String
    let ingestURL: String
    let keyPrefix: String
    let databaseURL: String
    let redisURL: String
    private(set) var processes: [String: Process] = [:]
    private let ports: (redis: Int, postgres: Int)?

    init(
        timeout: String = "1h", lease: String = "2s", chatRate: String = "100000/1s", simulatorArguments: [String] = [],
        ownDatastores: Bool = false, extra: [String: String] = [:]
    ) throws {
        folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(TestServices.uniqueName("cluster"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        chmod(folder.path, 0o755)
        let base = Int.random(in: 20_000...30_000)
        if ownDatastores {
            ports = (base + 1, base + 2)
            try Self.shell(
                "ops/datastores start \(folder.path)",
                ["TOCSIN_REDIS_PORT": String(base + 1), "TOCSIN_PG_PORT": String(base + 2)])
            redisURL = "redis://127.0.0.1:\(base + 1)/0"
            let plain = "postgresql://tocsin@127.0.0.1:\(base + 2)/tocsin"
            try Migrations.run(on: PostgresConnection(conninfo: plain))
            databaseURL = plain
        } else {
            ports = nil
            redisURL = TestServices.redisURL
            databaseURL = try TestServices.freshSchema()
        }
        try DirectoryStore(db: PostgresConnection(conninfo: databaseURL)).replace(
            with: DirectoryFile.parse(
                StoreTests.example.replacingOccurrences(of: "  escalation_timeout: 5m\n", with: "")))
        keyPrefix = TestServices.uniqueName("crash")
        simulatorURL = "http://127.0.0.1:\(base + 3)"
        ingestURL = "http://127.0.0.1:\(base + 4)"
        var environment = [
            "TOCSIN_REDIS_URL": redisURL, "TOCSIN_DATABASE_URL": databaseURL, "TOCSIN_KEY_PREFIX": keyPrefix,
            "TOCSIN_LISTEN": "127.0.0.1:\(base + 4)", "TOCSIN_ESCALATION_TIMEOUT": timeout,
            "TELEGRAM_BOT_TOKEN": Self.token, "TELEGRAM_CHAT_ID": String(Self.chatID),
            "TELEGRAM_API_URL": simulatorURL, "TELEGRAM_CHAT_RATE": chatRate, "TELEGRAM_GLOBAL_RATE": "100000/1s",
            "TOCSIN_JOB_LEASE": lease, "TOCSIN_WORKER_THREADS": "1", "TOCSIN_LOG_LEVEL": "debug",
            "TOCSIN_WEBHOOK_TOKEN": "crash-webhook-bearer-secret",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "",
        ]
        environment.merge(extra) { $1 }
        self.environment = environment
        try start(
            "simulator", Self.binaries.appendingPathComponent("tocsin-telegram-sim").path,
            [
                "--listen", "127.0.0.1:\(base + 3)", "--token", Self.token, "--chat-id", String(Self.chatID),
                "--members", Self.members,
            ] + simulatorArguments, environment: [:])
        try waitForHTTP(simulatorURL + "/sim/members")
    }

    deinit {
        for process in processes.values where process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
            Self.waitForExit(process)
        }
        if let ports {
            _ = try? Self.shell(
                "ops/datastores stop \(folder.path)",
                ["TOCSIN_REDIS_PORT": String(ports.redis), "TOCSIN_PG_PORT": String(ports.postgres)])
        }
    }

    // MARK: - Processes

    /// Starts `tocsin ingest` and waits until it answers.
    func startIngest() throws {
        try start("ingest", Self.binaries.appendingPathComponent("tocsin").path, ["ingest"])
        try waitForHTTP(ingestURL + "/healthz")
    }

    func startWorker(_ name: String, extra: [String: String] = [:]) throws {
        try start(name, Self.binaries.appendingPathComponent("tocsin").path, ["worker"], extra: extra)
    }

    func start(
        _ name: String, _ path: String, _ arguments: [String], environment: [String: String]? = nil,
        extra: [String: String] = [:]
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = (environment ?? self.environment).merging(extra) { $1 }
        let log = folder.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes[name] = process
    }

    func signal(_ name: String, _ signal: Int32) {
        guard let process = processes[name] else { return }
        kill(process.processIdentifier, signal)
    }

    /// Waits for a process to end; returns its exit status, or nil if it still runs after `seconds`.
    func waitForExit(_ name: String, seconds: Double) -> Int32? {
        guard let process = processes[name] else { return nil }
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func log(_ name: String) -> String {
        (try? String(contentsOf: folder.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    /// Every line every process logged.
    var allLogs: String {
        processes.keys.sorted().map(log).joined(separator: "\n")
    }

    // MARK: - Datastores

    func killRedis() throws {
        let pid = try String(contentsOf: folder.appendingPathComponent("redis/redis.pid"), encoding: .utf8)
        kill(pid_t(pid.trimmingCharacters(in: .whitespacesAndNewlines))!, SIGKILL)
        Thread.sleep(forTimeInterval: 0.3)
    }

    func startDatastores() throws {
        guard let ports else { return }
        try Self.shell(
            "ops/datastores start \(folder.path)",
            ["TOCSIN_REDIS_PORT": String(ports.redis), "TOCSIN_PG_PORT": String(ports.postgres)])
    }

    func stopPostgres() throws {
        let pgBin = try Self.shell("ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1", [:])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.shell("runuser -u postgres -- \(pgBin)/pg_ctl -D \(folder.path)/postgres/data -m fast stop", [:])
    }

    /// Runs a bash command from the repository's folder and returns its output; throws when it fails.
    ///
    /// Spawned with `posix_spawn` and reaped with `waitpid`, not with `Process`: the command may start a
    /// daemon (Redis, PostgreSQL) that keeps inherited descriptors open, and `Process` then never sees the
    /// command end. Output goes to a file for the same reason.
    @discardableResult
    static func shell(_ command: String, _ environment: [String: String]) throws -> String {
        let output = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(TestServices.uniqueName("sh"))
        defer { try? FileManager.default.removeItem(at: output) }
        let script = "cd '\(repository.path)' && (\(command)) >'\(output.path)' 2>&1 </dev/null"
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let words: [String] = ["/bin/bash", "-c", script]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let env: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer { (arguments + env).forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, arguments, env)
        guard spawned == 0 else { throw ClusterError(message: "cannot run bash: \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw ClusterError(message: "`\(command)` failed: \(text)") }
        return text
    }

    /// Polls instead of `waitUntilExit`, which can wait forever off the main thread on Linux.
    static func waitForExit(_ process: Process) {
        while process.isRunning { Thread.sleep(forTimeInterval: 0.02) }
    }

    // MARK: - HTTP

    func waitForHTTP(_ url: String, seconds: Double = 15) throws {
        let deadline = Date().addingTimeInterval(seconds)
        let client = HTTPClient()
        while Date() < deadline {
            if let response = try? client.send(method: "GET", url: url, timeout: 1), response.status == 200 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw ClusterError(message: "\(url) did not answer within \(seconds) s")
    }

    /// Posts a notification to the ingest with the bearer token; 0 when no HTTP answer came.
    func postAlert(_ body: String, client: HTTPClient = HTTPClient()) -> Int {
        let headers = ["Content-Type: application/json", "Authorization: Bearer crash-webhook-bearer-secret"]
        return
            (try? client.send(
                url: ingestURL + "/alertmanager", headers: headers, body: Array(body.utf8),
                timeout: 5
            ).status) ?? 0
    }

    func messages() -> [[String: Any]] {
        guard
            let response = try? HTTPClient().send(
                method: "GET", url: simulatorURL + "/sim/messages?chat_id=\(Self.chatID)")
        else { return [] }
        return (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [[String: Any]] ?? []
    }

    func requestLog(method: String) -> [[String: Any]] {
        guard let response = try? HTTPClient().send(method: "GET", url: simulatorURL + "/sim/log?method=\(method)")
        else { return [] }
        return (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [[String: Any]] ?? []
    }

    /// Cards per alert group: the group key's text appears in the card ("Service: …" and the alert name).
    func cardCounts(groups: [String]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for message in messages() {
            let text = message["text"] as? String ?? ""
            for group in groups where text.contains("· \(group)\n") { counts[group, default: 0] += 1 }
        }
        return counts
    }

    @discardableResult
    func wait(_ seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition()
    }
}

struct ClusterError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A notification whose alert name is `name`, so each card can be told apart by its title line.
func namedNotification(_ name: String, status: String = "firing") -> String {
    let body: [String: Any] = [
        "version": "4", "groupKey": "{}:{alertname=\"\(name)\"}", "status": status, "receiver": "tocsin",
        "groupLabels": ["alertname": name], "commonLabels": ["alertname": name, "severity": "critical"],
        "commonAnnotations": ["summary": "crash test"], "externalURL": "http://127.0.0.1:9093", "truncatedAlerts": 0,
        "alerts": [
            [
                "status": status, "labels": ["alertname": name, "service": "payments", "severity": "critical"],
                "annotations": [:], "startsAt": "2026-12-03T14:01:05Z",
                "endsAt": status == "firing" ? "0001-01-01T00:00:00Z" : "2026-12-03T14:31:05Z",
                "generatorURL": "", "fingerprint": "fp-\(name)",
            ]
        ],
    ]
    return String(decoding: try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
}
