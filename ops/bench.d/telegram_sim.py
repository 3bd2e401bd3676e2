"""The Telegram simulator's control interface (/sim/...), as the measurements read it.

Its request log stamps every Bot API call with the simulator's clock (seconds since 1970, the same clock
as this program's time.time()), which is what "arrived at Telegram" means in every figure.
"""

import json
import urllib.request

# Bot API methods that put a message in the group or change one: the ones Telegram's limits count.
SENDING = ("sendMessage", "editMessageText", "editMessageReplyMarkup")


class Simulator:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}/sim"

    def _get(self, path):
        with urllib.request.urlopen(self.base + path, timeout=60) as answer:
            return json.load(answer)

    def _post(self, path, body):
        request = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)

    def reset(self, chat_rate=None, global_rate=None):
        """Forgets every message and log entry; sets the limits (None: no limit)."""
        self._post("/reset", {})
        self._post("/config", {"chat_rate": chat_rate, "global_rate": global_rate})

    def log(self, method=None):
        return self._get(f"/log?method={method}" if method else "/log")

    def sends(self):
        """Sends and edits, accepted or refused, in the order they arrived."""
        return [entry for entry in self.log() if entry["method"] in SENDING]

    def sent_messages(self):
        """sendMessage calls that Telegram accepted: [(time, message_id)]."""
        return [(entry["time"], entry["message_id"]) for entry in self.log("sendMessage") if entry["ok"]]

    def messages(self):
        """The bot's messages in the group, with their text and edits."""
        return [message for message in self._get("/messages") if message.get("is_bot")]

    def message(self, message_id):
        return self._get(f"/messages/{message_id}")
