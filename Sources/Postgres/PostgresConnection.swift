import CLibpq

/// One blocking connection to PostgreSQL, owning a libpq `PGconn`.
///
/// Not thread-safe: each worker thread owns its own. Statements use `PQexecParams` with text parameters, so
/// values never get spliced into SQL. A broken connection is reset on the next statement; if that fails the
/// statement throws `PostgresError` of kind `.connection` and the caller backs off.
public final class PostgresConnection {
    private let conninfo: String
    private let onConnect: [String]
    private var connection: OpaquePointer?

    /// `conninfo` is a libpq connection string or URI; it may carry a password and is never logged.
    /// `onConnect` statements (session settings) run on every new connection.
    public init(conninfo: String, onConnect: [String] = []) {
        self.conninfo = conninfo
        self.onConnect = onConnect
    }

    deinit {
        if let connection { PQfinish(connection) }
    }

    /// Dials now instead of on the first statement.
    public func connect() throws {
        _ = try live()
    }

    // MARK: - Statements

    /// Runs one statement with `$1…$n` parameters (nil is SQL NULL).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> PostgresRows {
        let label = Self.label(sql)
        let connection = try live()
        let result = Self.withParameters(parameters) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard let result else {
            throw brokenOrServer(label: label, connection: connection)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return Self.rows(result)
        default:
            if PQstatus(connection) != CONNECTION_OK {
                throw brokenOrServer(label: label, connection: connection)
            }
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            throw PostgresError(.server, sqlState: state, message: primary ?? "statement failed", statement: label)
        }
    }

    /// Runs several statements without parameters (migrations). Use only for trusted SQL.
    public func execute(script sql: String) throws {
        let connection = try live()
        guard let result = PQexec(connection, sql) else {
            throw brokenOrServer(label: "script", connection: connection)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            throw PostgresError(.server, sqlState: state, message: primary ?? "script failed", statement: "script")
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back when it throws.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let value = try body(self)
            try query("COMMIT")
            return value
        } catch {
            if connection.map({ PQstatus($0) == CONNECTION_OK }) == true { _ = try? query("ROLLBACK") }
            throw error
        }
    }

    // MARK: - Connection lifecycle

    private func live() throws -> OpaquePointer {
        if let connection, PQstatus(connection) == CONNECTION_OK { return connection }
        if let connection { PQfinish(connection) }
        connection = nil
        guard let fresh = PQconnectdb(conninfo) else {
            throw PostgresError(.connection, message: "cannot allocate a connection", statement: "connect")
        }
        guard PQstatus(fresh) == CONNECTION_OK else {
            let message = Self.firstLine(PQerrorMessage(fresh))
            PQfinish(fresh)
            throw PostgresError(.connection, message: message, statement: "connect")
        }
        // Server notices ("relation already exists, skipping") are not errors; keep them off stderr.
        PQsetNoticeProcessor(fresh, { _, _ in }, nil)
        connection = fresh
        for statement in onConnect {
            guard let result = PQexec(fresh, statement) else { continue }
            let status = PQresultStatus(result)
            PQclear(result)
            if status != PGRES_COMMAND_OK {
                close()
                throw PostgresError(.server, message: "session setting refused", statement: Self.label(statement))
            }
        }
        return fresh
    }

    /// Drops the connection; the next statement dials again.
    public func close() {
        if let connection { PQfinish(connection) }
        connection = nil
    }

    private func brokenOrServer(label: String, connection: OpaquePointer) -> PostgresError {
        let message = Self.firstLine(PQerrorMessage(connection))
        if PQstatus(connection) != CONNECTION_OK {
            close()
            return PostgresError(.connection, message: message, statement: label)
        }
        return PostgresError(.server, message: message, statement: label)
    }

    // MARK: - Conversions

    /// The statement's first words, enough to name it in an error without its data.
    static func label(_ sql: String) -> String {
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(4)
        return words.joined(separator: " ")
    }

    private static func firstLine(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        guard let pointer else { return "unknown error" }
        let text = String(cString: pointer).split(separator: "\n").first.map(String.init) ?? ""
        return text.isEmpty ? "unknown error" : text
    }

    private static func rows(_ result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            rows.append(
                (0..<columnCount).map { column in
                    if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
                    return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
                })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, rows: rows, affected: affected)
    }

    private static func withParameters<T>(
        _ parameters: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T
    ) -> T {
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { value in
            guard let value else { return nil }
            let bytes = Array(value.utf8CString)
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            copy.initialize(from: bytes, count: bytes.count)
            return copy
        }
        defer { copies.forEach { $0?.deallocate() } }
        let pointers = copies.map { UnsafePointer($0) }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
