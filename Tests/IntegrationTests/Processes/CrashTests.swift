import Foundation
import HTTPClient
import Testing

/// SPEC §7 with real processes: workers killed or paused mid-job, Redis and PostgreSQL restarted, floods.
/// Run on their own (`swift test --filter CrashTests`), after the other suites: they time real processes.
@Suite(.serialized) struct CrashTests {
    /// A worker killed with SIGKILL at each point of posting a card: another worker takes the job over
    /// after the lease, every alert is paged, and a second card appears only when the kill fell between
    /// Telegram's answer and the commit.
    @Test(arguments: [
        ("post.before_send", false), ("post.after_send", true), ("post.before_commit", true),
        ("post.after_commit", false),
    ])
    func killedWorkerLosesNoPage(point: String, duplicateAllowed: Bool) throws {
        let cluster = try Cluster(lease: "1s")
        try cluster.startIngest()
        try cluster.startWorker("doomed", extra: ["TOCSIN_FAILPOINT": point])
        #expect(cluster.postAlert(namedNotification("Kill")) == 200)
        #expect(cluster.waitForExit("doomed", seconds: 10) != nil, "the failpoint did not fire")
        try cluster.startWorker("survivor")
        #expect(cluster.wait(15) { cluster.cardCounts(groups: ["Kill"])["Kill", default: 0] >= 1 })
        cluster.wait(2) { false }
        let cards = cluster.cardCounts(groups: ["Kill"])["Kill", default: 0]
        #expect(cards == 1 || (duplicateAllowed && cards == 2), "\(cards) cards after a kill at \(point)")
        print("kill at \(point): \(cards) card(s)")
    }

    /// A worker stopped (SIGSTOP) just before sending, past its lease, then continued (SIGCONT): the job
    /// was taken over meanwhile, so the late worker sends nothing and its completion is refused.
    @Test func pausedWorkerIsFenced() throws {
        let cluster = try Cluster(lease: "1s")
        try cluster.startIngest()
        try cluster.startWorker("paused", extra: ["TOCSIN_FAILPOINT": "post.before_send:stop"])
        #expect(cluster.postAlert(namedNotification("Pause")) == 200)
        Thread.sleep(forTimeInterval: 1)
        try cluster.startWorker("other")
        #expect(cluster.wait(15) { cluster.cardCounts(groups: ["Pause"])["Pause", default: 0] == 1 })
        cluster.signal("paused", SIGCONT)
        cluster.wait(3) { false }
        #expect(cluster.cardCounts(groups: ["Pause"])["Pause", default: 0] == 1)
        #expect(cluster.requestLog(method: "sendMessage").count == 1)
    }

    /// 200 copies of one notification, sent at once over 8 connections: one card.
    @Test func concurrentDuplicatesGiveOneCard() throws {
        let cluster = try Cluster()
        try cluster.startIngest()
        try cluster.startWorker("w1")
        try cluster.startWorker("w2")
        let body = namedNotification("Twins")
        let statuses = StatusCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let client = HTTPClient()
            for _ in 0..<25 { statuses.add(cluster.postAlert(body, client: client)) }
        }
        #expect(statuses.counts == [200: 200])
        #expect(cluster.wait(10) { cluster.cardCounts(groups: ["Twins"])["Twins", default: 0] == 1 })
        cluster.wait(2) { false }
        #expect(cluster.messages().count == 1)
    }

    /// SIGTERM: the worker stops taking jobs and exits well within 10 seconds.
    @Test func sigtermStopsAWorkerQuickly() throws {
        let cluster = try Cluster()
        try cluster.startWorker("w1")
        Thread.sleep(forTimeInterval: 1)
        let started = Date()
        cluster.signal("w1", SIGTERM)
        let status = cluster.waitForExit("w1", seconds: 10)
        #expect(status == 0)
        #expect(Date().timeIntervalSince(started) < 10)
    }

    /// Redis killed with SIGKILL mid-stream and restarted from its append-only file, then PostgreSQL
    /// stopped and started mid-stream: every notification that was answered 200 is paged.
    @Test func datastoreRestartsLoseNothingAnswered() throws {
        let cluster = try Cluster(ownDatastores: true)
        try cluster.startIngest()
        try cluster.startWorker("w1")
        try cluster.startWorker("w2")
        var accepted: [String] = []
        var refused = 0
        let client = HTTPClient()
        for index in 0..<60 {
            if index == 20 { try cluster.killRedis() }
            if index == 26 { try cluster.startDatastores() }
            if index == 40 { try cluster.stopPostgres() }
            if index == 46 { try cluster.startDatastores() }
            let name = "Restart\(index)"
            if cluster.postAlert(namedNotification(name), client: client) == 200 {
                accepted.append(name)
            } else {
                refused += 1
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(refused > 0, "Redis was down for a while: some webhooks must have been refused with 503")
        let paged = cluster.wait(60) { cluster.cardCounts(groups: accepted).count == accepted.count }
        let counts = cluster.cardCounts(groups: accepted)
        #expect(paged, "\(accepted.count - counts.count) of \(accepted.count) answered notifications not paged")
        let doubled = counts.values.filter { $0 > 1 }.count
        print(
            "restarts: \(accepted.count) answered 200, \(refused) refused (503), \(counts.count) paged, "
                + "\(doubled) paged twice")
    }

    /// 300 incidents across 3 workers against a group limit of 20 per 2 s (a scaled minute) with 5 % of
    /// sends failing with 500: all paged, none twice, few 429s, and the send rate close to the allowed one.
    @Test func floodUnderTelegramLimits() throws {
        let cluster = try Cluster(
            chatRate: "20/2s", simulatorArguments: ["--chat-rate", "20/2s", "--error-rate", "0.05"])
        try cluster.startIngest()
        for name in ["w1", "w2", "w3"] { try cluster.startWorker(name) }
        let names = (0..<300).map { "Flood\($0)" }
        let started = Date()
        let client = HTTPClient()
        for name in names { #expect(cluster.postAlert(namedNotification(name), client: client) == 200) }
        let done = cluster.wait(60) { cluster.cardCounts(groups: names).count == names.count }
        let elapsed = Date().timeIntervalSince(started)
        let counts = cluster.cardCounts(groups: names)
        #expect(done, "\(names.count - counts.count) incidents not paged")
        #expect(counts.values.allSatisfy { $0 == 1 }, "some incident was paged twice")
        let log = cluster.requestLog(method: "sendMessage")
        let limited = log.filter { ($0["error_code"] as? Int) == 429 }.count
        let sent = log.filter { ($0["ok"] as? Bool) == true }.count
        let share = Double(limited) / Double(max(log.count, 1))
        // The send rate as Telegram saw it: successful sends over the time from the first to the last.
        let times = log.filter { ($0["ok"] as? Bool) == true }.compactMap { $0["time"] as? Double }.sorted()
        let rate = Double(times.count - 1) / max((times.last ?? 0) - (times.first ?? 0), 0.001)
        print(
            String(
                format: "flood: %d cards in %.1f s, sent at %.2f/s (allowed 10/s), %d sends, %d refused "
                    + "(5xx or 429), %d 429s (%.2f %%)", counts.count, elapsed, rate, sent, log.count - sent, limited,
                share * 100))
        #expect(share <= 0.01)
        #expect(rate >= 9 && rate <= 11, "send rate \(rate)/s is not within 10 % of the allowed 10/s")
    }

    /// No log line of any process, on any path above, carries the bot token or the webhook token.
    @Test func secretsNeverReachALog() throws {
        let cluster = try Cluster()
        try cluster.startIngest()
        try cluster.startWorker("w1")
        let client = HTTPClient()
        _ = try client.send(
            url: cluster.ingestURL + "/alertmanager", headers: ["Authorization: Bearer wrong"],
            body: Array("{}".utf8))
        #expect(cluster.postAlert("{broken") == 400)
        #expect(cluster.postAlert(namedNotification("Secrets")) == 200)
        #expect(cluster.wait(10) { cluster.messages().count == 1 })
        let logs = cluster.allLogs
        #expect(!logs.isEmpty)
        #expect(!logs.contains(Cluster.token))
        #expect(!logs.contains("crash-webhook-bearer-secret"))
    }
}

final class StatusCounter: @unchecked Sendable {
    // @unchecked: `values` is only touched under `lock`.
    private let lock = NSLock()
    private var values: [Int: Int] = [:]

    func add(_ status: Int) {
        lock.lock()
        values[status, default: 0] += 1
        lock.unlock()
    }

    var counts: [Int: Int] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}
