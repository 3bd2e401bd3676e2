import Foundation
import JSON

// MARK: - setWebhook, deleteWebhook, getWebhookInfo

extension BotSimulator {
    /// Delay before retry number `attempt` (1, 2, 4 … 60 seconds of the clock).
    static func retryDelay(attempt: Int) -> Double {
        min(60, pow(2, Double(max(0, attempt - 1))))
    }

    func setWebhook(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        let url = parameters.string("url") ?? ""
        if url.isEmpty { return deleteWebhook(parameters) }
        if let error = Self.checkWebhookURL(url) { return .failure(error) }
        let secret = parameters.string("secret_token").flatMap { $0.isEmpty ? nil : $0 }
        if let secret {
            guard secret.utf8.count <= 256 else { return .failure(.badRequest("secret token is too long")) }
            guard secret.unicodeScalars.allSatisfy(Self.isSecretCharacter) else {
                return .failure(.badRequest("secret token contains unallowed characters"))
            }
        }
        let maxConnections = Int(parameters.int64("max_connections") ?? 40)
        guard (1...100).contains(maxConnections) else {
            return .failure(.badRequest("max_connections must be between 1 and 100"))
        }
        guard let allowed = parameters.structured("allowed_updates") else {
            return .failure(.badRequest("can't parse allowed_updates JSON array"))
        }

        let description = state.withLock { state -> String in
            if let list = allowed?.arrayValue { state.allowedUpdates = Set(list.compactMap(\.stringValue)) }
            if parameters.bool("drop_pending_updates") { state.updates.removeAll() }
            if let current = state.webhook, current.url == url, current.secret == secret {
                return "Webhook is already set"
            }
            state.webhook = WebhookState(url: url, secret: secret, maxConnections: maxConnections)
            return "Webhook was set"
        }
        startDeliveryThreadIfNeeded()
        wakeWaiters()
        return .success(BotReply(result: true, description: description))
    }

    func deleteWebhook(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        let description = state.withLock { state -> String in
            if parameters.bool("drop_pending_updates") { state.updates.removeAll() }
            guard state.webhook != nil else { return "Webhook is already deleted" }
            state.webhook = nil
            return "Webhook was deleted"
        }
        return .success(BotReply(result: true, description: description))
    }

    func webhookInfo() -> JSONValue {
        state.withLock { state in
            var info: [String: JSONValue] = [
                "url": .string(state.webhook?.url ?? ""), "has_custom_certificate": false,
                "pending_update_count": .int(Int64(state.updates.count)),
            ]
            if let hook = state.webhook {
                info["max_connections"] = .int(Int64(hook.maxConnections))
                if let date = hook.lastErrorDate { info["last_error_date"] = .int(Int64(date)) }
                if let message = hook.lastErrorMessage { info["last_error_message"] = .string(message) }
            }
            if !state.allowedUpdates.isEmpty {
                info["allowed_updates"] = .array(state.allowedUpdates.sorted().map(JSONValue.string))
            }
            return .object(info)
        }
    }

    /// HTTPS on ports 80, 88, 443 or 8443, as Telegram demands; plain HTTP and any port on loopback hosts.
    static func checkWebhookURL(_ text: String) -> BotError? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host,
            !host.isEmpty
        else { return .badRequest("bad webhook: Failed to resolve host: Name or service not known") }
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        if loopback && (scheme == "http" || scheme == "https") { return nil }
        guard scheme == "https" else { return .badRequest("bad webhook: HTTPS url must be provided for webhook") }
        if let port = url.port, ![80, 88, 443, 8443].contains(port) {
            return .badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        }
        return nil
    }

    private static func isSecretCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII
            && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
                || scalar == "-")
    }
}

// MARK: - Delivery

extension BotSimulator {
    /// Delivers the updates that are due, oldest first, stopping at the first failure; returns how many went.
    ///
    /// The background thread calls it; with `WebhookDelivery.manual` the owner does. Updates go one at a
    /// time, so one chat's updates arrive in order. A non-2xx answer keeps the update at the head of the
    /// queue and delays the next try by 1, 2, 4 … 60 seconds of the injected clock.
    @discardableResult
    public func pumpWebhook() -> Int {
        var delivered = 0
        while deliverNext() { delivered += 1 }
        return delivered
    }

    /// Tries the update at the head of the queue once, if it is due; true when it was accepted.
    private func deliverNext() -> Bool {
        guard let deliver else { return false }
        let now = clock()
        let job = state.withLock { state -> (url: String, secret: String?, update: PendingUpdate)? in
            guard !state.stopped, !state.deliveryInFlight, let hook = state.webhook, let head = state.updates.first,
                now >= hook.nextAttempt
            else { return nil }
            state.deliveryInFlight = true
            return (hook.url, hook.secret, head)
        }
        guard let job else { return false }

        let status = deliver(job.url, job.secret, job.update.json.bytes)
        let finished = clock()
        let accepted = (200..<300).contains(status)
        state.withLock { state in
            state.deliveryInFlight = false
            state.deliveries.append(DeliveryRecord(time: finished, updateID: job.update.id, status: status))
            guard var hook = state.webhook, hook.url == job.url else { return }
            if accepted {
                state.updates.removeAll { $0.id == job.update.id }
                hook.attempts = 0
                hook.nextAttempt = 0
            } else {
                hook.attempts += 1
                hook.nextAttempt = finished + Self.retryDelay(attempt: hook.attempts)
                hook.lastErrorDate = finished
                hook.lastErrorMessage = Self.deliveryError(status)
            }
            state.webhook = hook
        }
        return accepted
    }

    private static func deliveryError(_ status: Int) -> String {
        if status <= 0 { return "Connection refused" }
        let reasons = [
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
        ]
        return "Wrong response from the webhook: \(status) \(reasons[status] ?? "")"
            .trimmingCharacters(in: .whitespaces)
    }

    /// Starts the delivery thread the first time a webhook is set, in `backgroundThread` mode.
    private func startDeliveryThreadIfNeeded() {
        guard case .backgroundThread = config.webhookDelivery, deliver != nil else { return }
        let start = state.withLock { state -> Bool in
            defer { state.deliveryThreadStarted = true }
            return !state.deliveryThreadStarted
        }
        guard start else { return }
        let thread = Thread { [weak self] in
            while let simulator = self, simulator.runDeliveryRound() {}
        }
        thread.name = "telegram-sim-webhook"
        thread.start()
    }

    /// One round of the delivery thread: deliver what is due, then sleep until the next update is due or
    /// someone signals (at most a second, so a jump of an injected clock is noticed). False once stopped.
    private func runDeliveryRound() -> Bool {
        pumpWebhook()
        signal.lock()
        defer { signal.unlock() }
        let now = clock()
        let pause = state.withLock { state -> Double? in
            if state.stopped { return nil }
            guard let hook = state.webhook, !state.updates.isEmpty, !state.deliveryInFlight else { return 1 }
            return min(1, hook.nextAttempt - now)
        }
        guard let pause else { return false }
        if pause > 0 { _ = signal.wait(until: Date() + pause) }
        return true
    }
}
