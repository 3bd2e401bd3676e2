import Foundation
import Queue
import Testing

/// `tocsin queue` as operators run it: the real executable against a queue with jobs in every state.
@Suite(.serialized) struct QueueCommandTests {
    /// One run of `tocsin ARGUMENTS` on this test's key prefix: exit status, standard output and error.
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    let keys = QueueKeys(prefix: TestServices.uniqueName("cli"))

    func tocsin(_ arguments: String...) throws -> Run {
        let process = Process()
        process.executableURL = Cluster.binaries.appendingPathComponent("tocsin")
        process.arguments = arguments
        process.environment = [
            "TOCSIN_REDIS_URL": TestServices.redisURL, "TOCSIN_KEY_PREFIX": keys.prefix,
            "TOCSIN_DATABASE_URL": TestServices.databaseURL,
        ]
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        Cluster.waitForExit(process)
        return Run(
            status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
            error: String(decoding: errData, as: UTF8.self))
    }

    /// Ready, in flight (with worker w1), delayed and dead jobs; returns the dead entries' ids: a post that
    /// failed, and a job of a kind this version does not know.
    func fill() throws -> (failed: String, unknown: String) {
        let queue = JobQueue(keys: keys, connection: TestServices.redis())
        try queue.ensureGroups()
        try queue.enqueue(Job(kind: .post, body: #"{"message":1}"#))
        _ = try #require(try queue.read(consumer: "w1", blockMillis: 10).first)
        try queue.enqueue(Job(kind: .post, body: #"{"message":2}"#))
        let failed = try #require(try queue.read(consumer: "w1", blockMillis: 10).first)
        #expect(try queue.deadLetter(failed, consumer: "w1", error: "sendMessage: 400 Bad Request: chat not found"))
        try queue.connection.command(
            ["XADD", keys.urgent, "*", "kind", "reboot", "body", "{}", "attempts", "0"])
        let unknown = try #require(try queue.read(consumer: "w1", blockMillis: 10).first)
        #expect(try queue.deadLetter(unknown, consumer: "w1", error: "unknown job kind 'reboot'"))
        try queue.enqueue(Job(kind: .alert, body: #"{"groupKey":"{}:{alertname=\"Disk\"}","status":"firing"}"#))
        let now = try queue.connection.serverTimeMillis()
        try queue.schedule(Job(kind: .escalate, body: #"{"incident":7,"level":2}"#), dueMillis: now + 600_000)
        return (failed.id, unknown.id)
    }

    @Test func statsAndListsShowEveryState() throws {
        _ = try fill()
        let stats = try tocsin("queue", "stats")
        #expect(stats.status == 0)
        for line in ["ready_urgent          1", "in_flight             1", "delayed               1", "dead  "] {
            #expect(stats.output.contains(line), "\(line) in \(stats.output)")
        }
        #expect(stats.output.contains("card 1"))

        let json = try tocsin("queue", "stats", "--json")
        let figures = try #require(
            try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(figures["dead"] as? Int == 2)
        #expect(figures["ready_by_kind"] as? [String: Int] == ["alert": 1])
        #expect((figures["next_due_in_seconds"] as? Double ?? 0) > 590)

        let expected = [
            "ready": #"group {}:{alertname="Disk"} (firing)"#, "pending": "in flight for",
            "delayed": "incident 7, level 2", "dead": "sendMessage: 400 Bad Request: chat not found",
        ]
        for (state, text) in expected {
            let list = try tocsin("queue", "list", state)
            #expect(list.status == 0)
            #expect(list.output.hasPrefix("ID "))
            #expect(list.output.contains(text), "\(state): \(list.output)")
        }
        let misuse = try tocsin("queue", "list", "everything")
        #expect(misuse.status == 2)
        #expect(misuse.error.contains("ready, delayed, pending or dead"))
    }

    @Test func deadJobsAreRetriedOrDropped() throws {
        let dead = try fill()
        let refused = try tocsin("queue", "retry", dead.unknown)
        #expect(refused.status == 1)
        #expect(refused.error.contains("unknown kind 'reboot'"))

        let retried = try tocsin("queue", "retry", dead.failed, "--json")
        #expect(retried.status == 0)
        #expect(retried.output.contains(#""retried":1"#))
        let list = try tocsin("queue", "list", "ready")
        #expect(list.output.contains("card 2"))

        #expect(try tocsin("queue", "drop", "1-1").status == 1)
        #expect(try tocsin("queue", "drop", dead.unknown).status == 0)
        #expect(try tocsin("queue", "stats", "--json").output.contains(#""dead":0"#))
        #expect(try tocsin("queue", "retry", "--dead").output == "put 0 dead job(s) back in the queue\n")
    }
}
