import Foundation
import HTTPServer
import Ingest
import Logging
import Models
import Worker

/// Set by SIGTERM and SIGINT; every loop checks it between jobs.
let stopSignal = StopSignal()

/// The long-running commands: `ingest`, `worker`, `run`.
enum Serve {
    static func ingest(environment: [String: String]) {
        let config = CLI.config(environment, requireTelegram: false)
        let logger = CLI.logger(config, component: "ingest")
        logStart(config, logger)
        let server = startIngest(config, logger)
        registerWebhook(config, logger)
        waitForStop(logger)
        server.stop()
    }

    static func worker(environment: [String: String]) {
        let config = CLI.config(environment, requireTelegram: true)
        let logger = CLI.logger(config, component: "worker")
        logStart(config, logger)
        let metrics = startMetrics(config, logger)
        let threads = startWorkers(config, logger)
        waitForStop(logger)
        threads.forEach { $0.join() }
        metrics?.stop()
    }

    static func run(environment: [String: String]) {
        let config = CLI.config(environment, requireTelegram: true)
        let logger = CLI.logger(config, component: "run")
        logStart(config, logger)
        let server = startIngest(config, logger)
        registerWebhook(config, logger)
        let metrics = startMetrics(config, logger)
        let threads = startWorkers(config, logger)
        waitForStop(logger)
        threads.forEach { $0.join() }
        metrics?.stop()
        server.stop()
    }

    // MARK: - Parts

    private static func logStart(_ config: Config, _ logger: Logger) {
        let fields = config.masked.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        logger.info("starting; configuration: \(fields)")
    }

    private static func startIngest(_ config: Config, _ logger: Logger) -> HTTPServer {
        do {
            return try IngestServer(config: config, logger: logger).start()
        } catch {
            CLI.fail("\(error)")
        }
    }

    /// The worker's own `/metrics` listener, when `TOCSIN_METRICS_LISTEN` names one.
    private static func startMetrics(_ config: Config, _ logger: Logger) -> HTTPServer? {
        guard let address = config.metricsListen else { return nil }
        do {
            return try WorkerMetrics(config: config).serve(on: address, logger: logger)
        } catch {
            CLI.fail("TOCSIN_METRICS_LISTEN: \(error)")
        }
    }

    /// In webhook mode, tells Telegram where to deliver updates, with the secret it must send back.
    private static func registerWebhook(_ config: Config, _ logger: Logger) {
        guard config.updates == .webhook, !config.botToken.isEmpty else { return }
        guard let base = config.publicURL else {
            logger.warning("webhook mode without TOCSIN_PUBLIC_URL: register the webhook yourself")
            return
        }
        let client = TelegramClient(apiURL: config.telegramAPIURL, token: config.botToken)
        let outcome = client.setWebhook(url: base + "/telegram", secret: config.webhookSecret)
        if case .ok = outcome {
            logger.info("telegram webhook registered", (.address, base + "/telegram"))
        } else {
            logger.error("telegram webhook registration failed", (.error, "\(outcome)"))
        }
    }

    private static func startWorkers(_ config: Config, _ logger: Logger) -> [JoinableThread] {
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        var threads: [JoinableThread] = []
        for index in 0..<config.workerThreads {
            let consumer = "\(host)-\(pid)-\(index)"
            threads.append(
                JoinableThread(name: consumer) {
                    WorkerLoop(config: config, consumer: consumer, stop: stopSignal, logger: logger).run()
                })
        }
        // The poller is not waited for at shutdown: updates it took but did not store stay unconfirmed at
        // Telegram (the offset moves only after they are stored), so the next poller gets them again.
        if config.updates == .polling {
            _ = JoinableThread(name: "poller") {
                UpdatePoller(config: config, holder: "\(host)-\(pid)", stop: stopSignal, logger: logger).run()
            }
        }
        return threads
    }

    /// Blocks until SIGTERM or SIGINT.
    private static func waitForStop(_ logger: Logger) {
        // A parent may start us with these signals blocked (a blocked mask survives exec); unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGTERM) { _ in stopSignal.stop() }
        signal(SIGINT) { _ in stopSignal.stop() }
        signal(SIGPIPE, SIG_IGN)
        while !stopSignal.isStopped { Thread.sleep(forTimeInterval: 0.1) }
        logger.info("stopping: finishing jobs in hand")
    }
}

/// A thread that runs a closure and can be waited for.
final class JoinableThread: Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [done] in
            body()
            done.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    func join() { done.wait() }
}
