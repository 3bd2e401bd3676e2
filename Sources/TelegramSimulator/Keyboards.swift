import JSON

/// Reading and checking `reply_markup`.
enum Keyboards {
    /// Button fields besides `callback_data` and `url` that make a button do something.
    private static let otherActions: Set<String> = [
        "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
    ]

    /// The inline keyboard in `reply_markup`, normalised; nil when there is none or it has no buttons.
    ///
    /// `callback_data` must be 1–64 bytes (`BUTTON_DATA_INVALID`). Reply keyboards (`keyboard`,
    /// `remove_keyboard`, `force_reply`) are accepted for sends and not kept.
    static func read(_ parameters: BotParameters, allowReplyKeyboards: Bool) -> Result<JSONValue?, BotError> {
        guard let given = parameters.structured("reply_markup") else { return .failure(.keyboardUnreadable) }
        guard let markup = given else { return .success(nil) }
        guard case .object(let fields) = markup else { return .failure(.keyboardUnreadable) }

        if let keyboard = fields["inline_keyboard"] {
            return inlineKeyboard(keyboard)
        }
        let replyKeyboard =
            fields["keyboard"] != nil || fields["remove_keyboard"] != nil
            || fields["force_reply"] != nil
        if replyKeyboard && allowReplyKeyboards { return .success(nil) }
        return .failure(.keyboardUnreadable)
    }

    private static func inlineKeyboard(_ keyboard: JSONValue) -> Result<JSONValue?, BotError> {
        guard case .array(let rows) = keyboard else {
            return .failure(.badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array"))
        }
        var normalized: [JSONValue] = []
        for row in rows {
            guard case .array(let buttons) = row else {
                return .failure(
                    .badRequest(
                        "field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array "
                            + "of Arrays"))
            }
            var kept: [JSONValue] = []
            for button in buttons {
                switch self.button(button) {
                case .failure(let error): return .failure(error)
                case .success(let checked): kept.append(checked)
                }
            }
            if !kept.isEmpty { normalized.append(.array(kept)) }
        }
        return .success(normalized.isEmpty ? nil : ["inline_keyboard": .array(normalized)])
    }

    private static func button(_ button: JSONValue) -> Result<JSONValue, BotError> {
        guard case .object(let fields) = button else {
            return .failure(.badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object"))
        }
        guard case .string(let text)? = fields["text"] else {
            return .failure(.badRequest("can't parse inline keyboard button: Field \"text\" must be of type String"))
        }
        var kept: [String: JSONValue] = ["text": .string(text)]

        if let data = fields["callback_data"] {
            guard case .string(let value) = data, (1...64).contains(value.utf8.count) else {
                return .failure(.buttonDataInvalid)
            }
            kept["callback_data"] = data
        }
        if let url = fields["url"] {
            guard case .string(let value) = url, Links.checked(value) != nil else {
                return .failure(.buttonURLInvalid)
            }
            kept["url"] = url
        }
        for (key, value) in fields where otherActions.contains(key) { kept[key] = value }

        if kept.count == 1 {
            return .failure(
                .badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"))
        }
        return .success(.object(kept))
    }

    /// Whether a normalised keyboard has a button with this `callback_data`.
    static func contains(_ markup: JSONValue?, callbackData: String) -> Bool {
        guard let rows = markup?["inline_keyboard"]?.arrayValue else { return false }
        return rows.contains { row in
            row.arrayValue?.contains { $0["callback_data"]?.stringValue == callbackData } ?? false
        }
    }
}
