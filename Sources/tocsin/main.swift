import Foundation
import Logging
import Models

/// `tocsin`: one executable, one subcommand per role (SPEC §2).
/// Exit codes: 0 success, 1 failure (one line on stderr), 2 misuse.

var arguments = Array(CommandLine.arguments.dropFirst())
let environment: [String: String]
do {
    environment = try CommandLineFlags.apply(&arguments, to: ProcessInfo.processInfo.environment)
} catch {
    CLI.misuse("\(error)")
}

guard let command = arguments.first else { CLI.misuse("no command given", showUsage: true) }
let rest = Array(arguments.dropFirst())
if command == "--help" || command == "-h" || command == "help" {
    print(CLI.usage)
    exit(0)
}
if rest.contains("--help") || rest.contains("-h") {
    print(CLI.help(for: command) ?? CLI.usage)
    exit(CLI.help(for: command) == nil ? 2 : 0)
}

switch command {
case "ingest": Serve.ingest(environment: environment)
case "worker": Serve.worker(environment: environment)
case "run": Serve.run(environment: environment)
case "migrate": Admin.migrate(environment: environment, arguments: rest)
case "directory": Admin.directory(environment: environment, arguments: rest)
case "queue": QueueCommand.run(environment: environment, arguments: rest)
case "incidents": History.list(environment: environment, arguments: rest)
case "incident": History.show(environment: environment, arguments: rest)
default: CLI.misuse("unknown command '\(command)'", showUsage: true)
}
