import Foundation
import JSON

// MARK: - getUpdates

extension BotSimulator {
    /// The longest long poll Telegram allows, in seconds.
    static let maxPollTimeout = 50.0

    /// `getUpdates`, as Telegram: `offset` confirms (deletes) every update below it, a negative offset keeps
    /// only the last `-offset` updates; with nothing to return the call waits up to `timeout` seconds for one.
    /// A newer call ends a waiting one with 409; with a webhook set every call is 409.
    func getUpdates(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        let offset = parameters.int64("offset") ?? 0
        let limit = Int(max(1, min(100, parameters.int64("limit") ?? 100)))
        let timeout = max(0, min(Self.maxPollTimeout, parameters.double("timeout") ?? 0))
        guard let allowed = parameters.structured("allowed_updates") else {
            return .failure(.badRequest("can't parse allowed_updates JSON array"))
        }

        let started = state.withLock { state -> (generation: Int, answer: Result<BotReply, BotError>?) in
            if state.webhook != nil { return (0, .failure(.webhookActive)) }
            if let list = allowed?.arrayValue {
                state.allowedUpdates = Set(list.compactMap(\.stringValue))
            }
            if offset > 0 {
                state.updates.removeAll { $0.id < offset }
            } else if offset < 0 {
                state.updates = Array(state.updates.suffix(Int(min(-offset, Int64(Int32.max)))))
            }
            state.pollGeneration += 1
            let batch = state.updates.prefix(limit)
            if !batch.isEmpty || timeout == 0 || state.stopped {
                return (state.pollGeneration, .success(Self.reply(batch)))
            }
            return (state.pollGeneration, nil)
        }
        if let answer = started.answer { return answer }

        wakeWaiters()  // an older poll learns it was superseded
        return waitForUpdates(generation: started.generation, limit: limit, until: Date() + timeout)
    }

    private func waitForUpdates(generation: Int, limit: Int, until deadline: Date) -> Result<BotReply, BotError> {
        signal.lock()
        defer { signal.unlock() }
        while true {
            let timedOut = Date() >= deadline
            let answer = state.withLock { state -> Result<BotReply, BotError>? in
                if state.pollGeneration != generation { return .failure(.pollTerminated) }
                if state.webhook != nil { return .failure(.webhookActive) }
                let batch = state.updates.prefix(limit)
                if !batch.isEmpty || timedOut || state.stopped { return .success(Self.reply(batch)) }
                return nil
            }
            if let answer { return answer }
            _ = signal.wait(until: deadline)
        }
    }

    private static func reply(_ batch: ArraySlice<PendingUpdate>) -> BotReply {
        BotReply(result: .array(batch.map(\.json)))
    }

    /// Queues an update and wakes whoever waits for one (a long poll, the webhook thread).
    @discardableResult
    func post(kind: String, chatID: Int64, payload: JSONValue) -> Int64 {
        let id = state.withLock { $0.enqueue(kind: kind, chatID: chatID, payload: payload) }
        wakeWaiters()
        return id
    }
}
