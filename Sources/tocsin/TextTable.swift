/// A table for the terminal: columns as wide as their widest cell, two spaces apart; the last column runs
/// free, so a long job body or error never pushes the others out of line.
struct TextTable {
    let header: [String]
    private(set) var rows: [[String]] = []

    init(_ header: String...) {
        self.header = header
    }

    mutating func add(_ cells: String...) {
        rows.append(cells)
    }

    /// The table's lines, header first; an empty table is its header alone.
    var lines: [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }.joined()
        }
    }

    func print() {
        for line in lines { Swift.print(line) }
    }
}
