/// A failure talking to PostgreSQL. It keeps the SQLSTATE, the server's message and the statement's
/// first words (never its bind values, which carry alert text), and whether the connection is gone.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection broke: retry later, PostgreSQL may come back.
        case connection
        /// The server refused the statement (constraint, syntax, lock timeout, …).
        case server
    }

    public var kind: Kind
    public var sqlState: String?
    public var message: String
    public var statement: String

    public init(_ kind: Kind, sqlState: String? = nil, message: String, statement: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.statement = statement
    }

    public var description: String {
        let state = sqlState.map { " (\($0))" } ?? ""
        return "postgres \(statement): \(message)\(state)"
    }

    /// Serialization failures, deadlocks and lock timeouts: the transaction may simply be run again.
    public var isTransient: Bool {
        kind == .connection || ["40001", "40P01", "55P03", "57P01", "57P03", "08006", "08003"].contains(sqlState ?? "")
    }
}
