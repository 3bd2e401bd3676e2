"""The processes a bench run starts, and what is read from them (readiness, resident memory).

Each process gets a session of its own, so stopping it also ends its children (gunicorn's workers). The
pids of those still running are kept in a file that ops/bench's exit trap reads: nothing outlives the run,
even when this program is killed before it can clean up. A stopped process leaves the file at once, so the
trap never signals a pid the system may have given to someone else since.
"""

import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

from report import NotRun


class Processes:
    def __init__(self, data_dir):
        self.logs = os.path.join(data_dir, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.pid_file = os.path.join(data_dir, "pids")
        self.running = {}

    def start(self, name, argv, env=None):
        if name in self.running:
            raise RuntimeError(f"{name} is already running")
        with open(self.log_path(name), "ab") as log:
            process = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.running[name] = process
        self._write_pids()
        return process

    def _write_pids(self):
        with open(self.pid_file + ".new", "w") as pids:
            pids.writelines(f"{process.pid}\n" for process in self.running.values())
        os.replace(self.pid_file + ".new", self.pid_file)

    def log_path(self, name):
        return os.path.join(self.logs, f"{name}.log")

    def pid(self, name):
        return self.running[name].pid

    def stop(self, name, grace=10):
        process = self.running.get(name)
        if process is None:
            return
        if process.poll() is None:
            # The whole session: gunicorn's master and workers, or a single Tocsin process.
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        del self.running[name]
        self._write_pids()

    def stop_all(self):
        for name in reversed(list(self.running)):
            self.stop(name)

    def wait_http(self, name, url, timeout=30):
        """Waits until `url` answers 200; gives up when the process exits or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.running[name].poll() is not None:
                raise NotRun(f"{name} exited at start: {self.tail(name)}")
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise NotRun(f"{name} did not answer {url} within {timeout} s")

    def wait_log(self, name, text, timeout=15):
        """Waits until the process's log holds `text` (workers have no port to ask)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.running[name].poll() is not None:
                raise NotRun(f"{name} exited at start: {self.tail(name)}")
            with open(self.log_path(name), errors="replace") as log:
                if text in log.read():
                    return
            time.sleep(0.1)
        raise NotRun(f"{name} did not log '{text}' within {timeout} s")

    def tail(self, name, lines=3):
        with open(self.log_path(name), errors="replace") as log:
            return " / ".join(line.strip() for line in log.readlines()[-lines:])


# MARK: - Memory


def rss_kib(pid):
    """Resident set size of one process (VmRSS), in KiB; None once it has exited."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class RssPeaks:
    """Samples the resident memory of some processes every 50 ms, on a thread, and keeps each one's peak."""

    def __init__(self, pids):
        self.pids = dict(pids)
        self.peaks = {name: rss_kib(pid) for name, pid in self.pids.items()}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stopped.set()
        self.thread.join()

    def _sample(self):
        while not self.stopped.wait(0.05):
            for name, pid in self.pids.items():
                value = rss_kib(pid)
                if value is not None:
                    self.peaks[name] = max(self.peaks[name] or 0, value)
