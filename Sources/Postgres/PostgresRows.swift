/// The rows of one statement's result, in text format, copied out of libpq's memory.
public struct PostgresRows: Sendable {
    public let columns: [String]
    public let rows: [[String?]]
    /// Rows touched by an `INSERT`, `UPDATE` or `DELETE`.
    public let affected: Int

    public init(columns: [String], rows: [[String?]], affected: Int) {
        self.columns = columns
        self.rows = rows
        self.affected = affected
    }

    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }

    public subscript(row: Int) -> PostgresRow { PostgresRow(columns: columns, values: rows[row]) }

    public var first: PostgresRow? { rows.isEmpty ? nil : self[0] }

    public var all: [PostgresRow] { rows.map { PostgresRow(columns: columns, values: $0) } }
}

/// One row, read by column name.
public struct PostgresRow: Sendable {
    public let columns: [String]
    public let values: [String?]

    public subscript(_ name: String) -> String? {
        guard let index = columns.firstIndex(of: name) else { return nil }
        return values[index]
    }

    public func int(_ name: String) -> Int64? { self[name].flatMap { Int64($0) } }
    public func double(_ name: String) -> Double? { self[name].flatMap { Double($0) } }
    public func bool(_ name: String) -> Bool? { self[name].map { $0 == "t" } }
}
