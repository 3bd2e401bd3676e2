import Foundation
import Logging
import Models

/// Usage texts and the exits every subcommand shares.
enum CLI {
    static let usage = """
        usage: tocsin COMMAND [--flag value ...]

        Prometheus alerts to Telegram pages that climb an escalation ladder.

        commands:
          ingest                     HTTP server: Alertmanager and Telegram webhooks, /healthz, /readyz, /metrics
          worker                     job worker; run as many as you like, on as many hosts as you like
          run                        ingest and one worker in one process
          migrate                    create or upgrade the PostgreSQL schema (safe to run twice)
          directory import FILE      replace the owner directory with FILE's (YAML), in one transaction
          directory show             print the directory as it stands in the database
          queue stats                ready, delayed, in-flight and dead jobs
          queue list KIND            KIND is ready, delayed, pending or dead
          queue retry ID|--dead      put a dead job (or all of them) back in the queue
          queue drop ID              forget a dead job
          incidents                  list incidents, open first
          incident ID                one incident's whole timeline

        Configuration comes from the environment (TOCSIN_*, TELEGRAM_*); a flag of the same name overrides it,
        e.g. --redis-url for TOCSIN_REDIS_URL or --chat-id for TELEGRAM_CHAT_ID. See README.md.
        """

    static func help(for command: String) -> String? {
        let lines: [String: String] = [
            "ingest":
                "usage: tocsin ingest\n\nServes POST /alertmanager, POST /telegram, /healthz, /readyz and /metrics "
                + "on TOCSIN_LISTEN.",
            "worker":
                "usage: tocsin worker\n\nRuns TOCSIN_WORKER_THREADS job loops and, in polling mode, takes part in "
                + "the single getUpdates lease.",
            "run": "usage: tocsin run\n\nThe ingest and a worker in one process.",
            "migrate": "usage: tocsin migrate\n\nApplies missing schema steps to TOCSIN_DATABASE_URL.",
            "directory": "usage: tocsin directory import FILE | tocsin directory show",
            "queue": "usage: tocsin queue stats | list ready|delayed|pending|dead | retry ID|--dead | drop ID [--json]",
            "incidents": "usage: tocsin incidents [--limit N]",
            "incident": "usage: tocsin incident ID",
        ]
        return lines[command]
    }

    static func misuse(_ message: String, showUsage: Bool = false) -> Never {
        FileHandle.standardError.write(Data("tocsin: \(message)\n".utf8))
        if showUsage { FileHandle.standardError.write(Data("run 'tocsin --help' for the commands\n".utf8)) }
        exit(2)
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("tocsin: \(message)\n".utf8))
        exit(1)
    }

    static func config(_ environment: [String: String], requireTelegram: Bool) -> Config {
        do {
            return try Config(environment: environment, requireTelegram: requireTelegram)
        } catch {
            fail(error.description)
        }
    }

    static func logger(_ config: Config, component: String) -> Logger {
        Logger(
            component: component, level: Logger.Level(name: config.logLevel) ?? .info,
            format: Logger.Format(rawValue: config.logFormat) ?? .logfmt)
    }
}

/// Turns `--redis-url X` into `TOCSIN_REDIS_URL=X` (and `--chat-id X` into `TELEGRAM_CHAT_ID=X`).
enum CommandLineFlags {
    static let names = [
        "TOCSIN_REDIS_URL", "TOCSIN_DATABASE_URL", "TOCSIN_KEY_PREFIX", "TOCSIN_LISTEN", "TOCSIN_WEBHOOK_TOKEN",
        "TOCSIN_ESCALATION_TIMEOUT", "TOCSIN_SERVICE_LABELS", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID",
        "TELEGRAM_API_URL", "TELEGRAM_UPDATES", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_CHAT_RATE",
        "TELEGRAM_GLOBAL_RATE", "TOCSIN_METRICS_LISTEN", "TOCSIN_JOB_LEASE", "TOCSIN_WORKER_THREADS",
        "TOCSIN_LOG_LEVEL", "TOCSIN_LOG_FORMAT", "TOCSIN_PUBLIC_URL", "TOCSIN_WATCHDOG_TIMEOUT",
    ]

    struct FlagError: Error, CustomStringConvertible {
        var description: String
    }

    static func apply(_ arguments: inout [String], to environment: [String: String]) throws -> [String: String] {
        var result = environment
        var kept: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            guard word.hasPrefix("--"), word != "--help", word != "--json", word != "--dead" else {
                kept.append(word)
                continue
            }
            var flag = String(word.dropFirst(2))
            var value: String?
            if let equals = flag.firstIndex(of: "=") {
                value = String(flag[flag.index(after: equals)...])
                flag = String(flag[..<equals])
            }
            let upper = flag.uppercased().replacingOccurrences(of: "-", with: "_")
            guard let name = names.first(where: { $0 == upper || $0 == "TOCSIN_" + upper || $0 == "TELEGRAM_" + upper })
            else {
                kept.append(word)
                if let value { kept.append(value) }
                continue
            }
            if value == nil {
                guard index < arguments.count else { throw FlagError(description: "--\(flag) needs a value") }
                value = arguments[index]
                index += 1
            }
            result[name] = value
        }
        arguments = kept
        return result
    }
}
