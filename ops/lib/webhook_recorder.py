#!/usr/bin/env python3
"""Stand-in for Tocsin's webhook in tests: `webhook_recorder.py PORT FILE` listens on 127.0.0.1:PORT
and appends each POST to FILE as one JSON line {"path", "authorization", "body"}, answering 200."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Recorder(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        record = {"path": self.path, "authorization": self.headers.get("Authorization", ""),
                  "body": body.decode("utf-8", "replace")}
        # Written and closed before answering: once the sender sees 200, the record is there.
        with open(self.server.record_file, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


if __name__ == "__main__":
    server = HTTPServer(("127.0.0.1", int(sys.argv[1])), Recorder)
    server.record_file = sys.argv[2]
    server.serve_forever()
