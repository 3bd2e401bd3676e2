/// A sliding-window rate limit: at most `rate.count` events in any `rate.per` seconds.
///
/// It keeps the times of the admitted events still inside the window. When the window is full, the next
/// slot frees when the oldest event that still counts leaves it, and `retry_after` is the whole seconds
/// until then, at least 1 (Telegram never answers `retry after 0`).
struct RateWindow: Sendable {
    var rate: SimRate
    private var times: [Double] = []

    init(rate: SimRate) {
        self.rate = rate
    }

    /// Seconds to wait before an event at `now` would be admitted, or nil when it would be admitted now.
    mutating func retryAfter(at now: Double) -> Int? {
        forget(before: now)
        guard times.count >= rate.count else { return nil }
        let frees = times[times.count - rate.count] + rate.per
        return max(1, Int((frees - now).rounded(.up)))
    }

    /// Counts an event at `now`.
    mutating func record(at now: Double) {
        times.append(now)
    }

    private mutating func forget(before now: Double) {
        let cutoff = now - rate.per
        if let keep = times.firstIndex(where: { $0 > cutoff }) {
            times.removeFirst(keep)
        } else {
            times.removeAll()
        }
    }
}
