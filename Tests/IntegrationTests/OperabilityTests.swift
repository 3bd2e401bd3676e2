import Foundation
import Metrics
import Queue
import Redis
import Testing

@testable import Models

/// Seeing inside Tocsin: queue inspection, metrics, the Watchdog heartbeat and the bot's commands.
@Suite(.serialized) struct OperabilityTests {
    @Test func queueInspectionSeesJobsInEveryState() throws {
        let keys = QueueKeys(prefix: TestServices.uniqueName("inspect"))
        let queue = JobQueue(keys: keys, connection: TestServices.redis())
        try queue.ensureGroups()
        try queue.enqueue(Job(kind: .post, body: "{\"message\":1}"))
        try queue.enqueue(Job(kind: .edit, body: "{\"message\":2}"))
        let taken = try #require(try queue.read(consumer: "w1", blockMillis: 10).first)
        try queue.enqueue(Job(kind: .post, body: "{\"message\":3}"))
        try queue.enqueue(Job(kind: .alert, body: "{}"))
        let doomed = try #require(try queue.read(consumer: "w1", blockMillis: 10).first)
        #expect(try queue.deadLetter(doomed, consumer: "w1", error: "sendMessage: 400 Bad Request: chat not found"))
        let now = try queue.connection.serverTimeMillis()
        try queue.schedule(Job(kind: .escalate, body: "{\"incident\":9,\"level\":1}"), dueMillis: now + 60_000)
        Thread.sleep(forTimeInterval: 0.05)

        let inspector = QueueInspector(keys: keys, connection: TestServices.redis())
        let stats = try inspector.stats()
        #expect(stats.ready == ["urgent": 1, "edit": 1])
        #expect(stats.readyByKind == ["alert": 1, "edit": 1])
        #expect(stats.delayedByKind == ["escalate": 1])
        #expect(stats.pending == 1)
        #expect(stats.delayed == 1)
        #expect(stats.dead == 1)
        #expect(stats.oldestReadySeconds > 0)
        #expect((stats.nextDueSeconds ?? 0) > 55)

        #expect(try inspector.list("pending").map(\.worker) == ["w1"])
        #expect(try inspector.list("pending").first?.id == taken.id)
        #expect(try Set(inspector.list("ready").map(\.kind)) == ["alert", "edit"])
        #expect(try inspector.list("delayed").first?.kind == "escalate")
        #expect(try inspector.list("delayed").first?.subject == "incident 9, level 1")
        #expect(try inspector.list("pending").first?.subject == "card 1")
        #expect(try inspector.list("delayed").first?.detail.hasPrefix("due in 5") == true)
        #expect(try inspector.list("dead").first?.detail == "sendMessage: 400 Bad Request: chat not found")

        let gauges = try inspector.gauges()
        #expect(gauges.contains { $0.0 == .queueJobs && $0.1 == ["state": "dead"] && $0.2 == 1 })
        // Inspection takes nothing away from the workers.
        #expect(try queue.read(consumer: "w2", blockMillis: 10).count == 1)
    }

    @Test(arguments: [
        (Int64(4_250), "4.3s"), (59_949, "59.9s"), (61_000, "1m01s"), (3_599_000, "59m59s"), (7_260_000, "2h01m"),
        (190_800_000, "2d05h"), (-1_500, "-1.5s"),
    ])
    func queueSpansReadLikeTimes(millis: Int64, text: String) {
        #expect(QueueInspector.seconds(millis) == text)
    }

    @Test func jobsNameWhatTheyConcern() {
        let alert = #"{"groupKey":"{}:{alertname=\"DiskFull\"}","status":"resolved"}"#
        #expect(Job(kind: .alert, body: alert).subject == #"group {}:{alertname="DiskFull"} (resolved)"#)
        #expect(Job(kind: .edit, body: #"{"message":12}"#).subject == "card 12")
        #expect(Job(kind: .update, body: #"{"update_id":5,"callback_query":{}}"#).subject == "update 5")
        #expect(Job(kind: .escalate, body: "not json").subject == "")
    }

    @Test func metricsParseBackAfterAnIncident() throws {
        let pipeline = try Pipeline(timeout: "1h")
        defer { pipeline.shutdown() }
        try pipeline.postAlert(Notifications.make())
        #expect(pipeline.wait { pipeline.messages().count == 1 })
        pipeline.click(pipeline.messages()[0], button: 0, as: 100001)
        #expect(pipeline.wait { Pipeline.buttons(pipeline.messages()[0]).isEmpty })

        let (status, text) = try pipeline.get("/metrics")
        #expect(status == 200)
        let samples = try PrometheusText.parse(text)
        #expect(samples.types["tocsin_webhooks_received_total"] == "counter")
        #expect(samples.types["tocsin_job_duration_seconds"] == "histogram")
        #expect(samples.types["tocsin_queue_jobs"] == "gauge")
        #expect(samples.value("tocsin_webhooks_received_total", ["endpoint": "alertmanager", "code": "200"]) ?? 0 >= 1)
        #expect(samples.value("tocsin_jobs_processed_total", ["kind": "post", "outcome": "done"]) ?? 0 >= 1)
        #expect(
            samples.value("tocsin_telegram_requests_total", ["method": "sendMessage", "outcome": "sent"]) ?? 0 >= 1)
        #expect(samples.value("tocsin_pages_total", ["level": "1"]) ?? 0 >= 1)
        #expect(samples.value("tocsin_acknowledgements_total", ["level": "1"]) ?? 0 >= 1)
        #expect(samples.value("tocsin_time_to_acknowledge_seconds_count", [:]) ?? 0 >= 1)
        #expect(samples.value("tocsin_queue_jobs", ["state": "dead"]) == 0)
        #expect(samples.types["tocsin_workers_alive"] == "gauge")
        #expect(samples.value("tocsin_workers_alive", [:]) ?? 0 >= 1, "the pipeline's worker loops report")
    }

    @Test func labelValuesAreEscapedOnlyWhereTheTextFormatNeedsIt() {
        let registry = MetricsRegistry()
        registry.increment(.webhooks, ["endpoint": "alertmanager", "code": "200"])
        registry.increment(.webhooks, ["endpoint": "odd \"path\"\\\nend", "code": "404"], by: 2)
        let text = registry.render()
        #expect(text.contains(#"tocsin_webhooks_received_total{code="200",endpoint="alertmanager"} 1"#))
        #expect(text.contains(#"tocsin_webhooks_received_total{code="404",endpoint="odd \"path\"\\\nend"} 2"#))
    }

    @Test func onlyRecentHeartbeatsCountAsAliveWorkers() throws {
        let keys = QueueKeys(prefix: TestServices.uniqueName("alive"))
        let queue = JobQueue(keys: keys, connection: TestServices.redis())
        let inspector = QueueInspector(keys: keys, connection: TestServices.redis())
        #expect(try inspector.stats().workersAlive.isEmpty)
        try queue.heartbeat(consumer: "host-a-0")
        let stale = try queue.connection.serverTimeMillis() - JobQueue.aliveMillis - 1_000
        try queue.connection.command(["ZADD", keys.workers, String(stale), "host-b-0"])
        #expect(try inspector.stats().workersAlive == ["host-a-0"])
        #expect(try inspector.gauges().contains { $0.0 == .workersAlive && $0.2 == 1 })
        try queue.retire(consumer: "host-a-0")
        #expect(try inspector.stats().workersAlive.isEmpty)
    }

    @Test func silentWatchdogPagesLevelThreeAndItsReturnResolves() throws {
        let pipeline = try Pipeline(timeout: "1h", extra: ["TOCSIN_WATCHDOG_TIMEOUT": "1s"])
        defer { pipeline.shutdown() }
        let heartbeat = Notifications.make(
            group: "{}:{alertname=\"Watchdog\"}", alerts: [("alerting-chain", "wd", "firing")]
        )
        .replacingOccurrences(of: "HostMemoryHigh", with: "Watchdog")
        #expect(try pipeline.postAlert(heartbeat) == 200)
        pipeline.wait(1) { false }
        #expect(pipeline.messages().isEmpty, "the heartbeat itself pages nobody")
        #expect(pipeline.wait(25) { pipeline.messages().contains { Pipeline.text($0).contains("WatchdogMissing") } })
        let card = try #require(pipeline.messages().first { Pipeline.text($0).contains("WatchdogMissing") })
        #expect(Pipeline.text(card).contains("Level 3: Tang Sanzang"))
        #expect(pipeline.messages().count == 1)

        let again = heartbeat.replacingOccurrences(of: "2026-12-03T14:01:05Z", with: "2026-12-03T15:01:05Z")
        #expect(try pipeline.postAlert(again) == 200)
        #expect(pipeline.wait(10) { Pipeline.text(pipeline.messages()[0]).contains("Resolved at") })
    }

    @Test func botCommandsAnswerInTheGroup() throws {
        let pipeline = try Pipeline(timeout: "1h")
        defer { pipeline.shutdown() }
        try pipeline.postAlert(Notifications.make())
        #expect(pipeline.wait { pipeline.messages().count == 1 })
        pipeline.say("/whoami", as: 100002)
        pipeline.say("/oncall payments", as: 100002)
        pipeline.say("/incidents", as: 100002)
        #expect(
            pipeline.wait {
                pipeline.messages().filter { ($0["from"] as? [String: Any])?["is_bot"] as? Bool == true }.count == 4
            })
        let replies = pipeline.messages().filter { $0["reply_to_message_id"] != nil }.map(Pipeline.text)
        #expect(replies.contains { $0.contains("bajie: telegram_id 100002") })
        #expect(
            replies.contains {
                $0.contains("payments") && $0.contains("L1: Sun Wukong") && $0.contains("L2: Zhu Bajie")
            })
        #expect(replies.contains { $0.contains("#1 payments · open · level 1") })
        #expect(!replies.contains { $0.contains("@wukong") }, "answers must not mention (and notify) anyone")
    }
}

/// Reads the Prometheus text exposition back: every sample with its labels, and every metric's type.
struct PrometheusText {
    var types: [String: String] = [:]
    var samples: [(name: String, labels: [String: String], value: Double)] = []

    func value(_ name: String, _ labels: [String: String]) -> Double? {
        samples.first { sample in
            sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value }
        }?.value
    }

    static func parse(_ text: String) throws -> PrometheusText {
        var result = PrometheusText()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw ClusterError(message: "bad TYPE line: \(line)") }
                result.types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw ClusterError(message: "bad sample line: \(line)")
            }
            var series = String(line[..<space])
            var labels: [String: String] = [:]
            if let brace = series.firstIndex(of: "{") {
                let body = series[series.index(after: brace)..<series.index(before: series.endIndex)]
                for pair in body.split(separator: ",") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2 else { throw ClusterError(message: "bad label in \(line)") }
                    labels[String(kv[0])] = String(kv[1].dropFirst().dropLast())
                }
                series = String(series[..<brace])
            }
            result.samples.append((series, labels, value))
        }
        return result
    }
}
