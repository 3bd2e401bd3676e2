"""Tocsin and the programs around it, as the bench runs them: on loopback, on ports of their own.

Redis and PostgreSQL are started by ops/bench (through ops/datastores) before this program runs; here they
are only emptied between measurements, so each one starts from a fresh queue and a fresh schema.
"""

import os
import subprocess
import time

from httpload import post
from procs import Processes
from report import NotRun
from telegram_sim import Simulator

TOKEN = "123456:bench-simulator-token"
CHAT_ID = -1001000000001
KEY_PREFIX = "bench"

# Away from the demo's (9087, 8081, 6379, 5432, 9090, 9093, 9100), the tests' (16379, 15432, and 20000-30000
# for the process tests' clusters) and the system's ephemeral range (from 32768). ops/bench checks them.
TOCSIN_PORT = 31087
SIM_PORT = 31081
ALERTMANAGER_PORT = 31093
ALERTA_PORT = 31082

PEOPLE = """people:
  wukong:  {name: Sun Wukong,   telegram_id: 100001, username: wukong}
  bajie:   {name: Zhu Bajie,    telegram_id: 100002, username: bajie}
  sanzang: {name: Tang Sanzang, telegram_id: 100003}
"""


def directory(timeout="5m", services=()):
    """An owner directory: three levels, every service owned by wukong, with `timeout` at each level."""
    lines = ["defaults:", f"  escalation_timeout: {timeout}", "  tech_managers: [bajie]", "  sre: [sanzang]",
             PEOPLE.rstrip(), "services:", "  default:", "    owners: [wukong]"]
    for name in services:
        lines += [f"  {name}:", "    owners: [wukong]"]
    return "\n".join(lines) + "\n"


class Stack:
    def __init__(self, data_dir, bin_dir):
        self.data = data_dir
        self.bin = bin_dir
        self.procs = Processes(data_dir)
        self.redis_port = int(os.environ["TOCSIN_REDIS_PORT"])
        self.pg_port = int(os.environ["TOCSIN_PG_PORT"])
        self.sim = Simulator(SIM_PORT)
        self.tocsin_names = []

    # MARK: - Datastores

    def redis(self, *args):
        argv = ["redis-cli", "-p", str(self.redis_port), *args]
        return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60).stdout.strip()

    def psql(self, sql, database="tocsin", user="tocsin"):
        """Runs `sql`; returns the rows as lists of strings."""
        argv = ["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", user, "-d", database,
                "-v", "ON_ERROR_STOP=1", "-qtAF", "\t", "-c", sql]
        out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=120).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def appendfsync(self, policy):
        self.redis("CONFIG", "SET", "appendfsync", policy)

    def empty_redis(self):
        """Deletes every key, then rewrites the append-only file so the next measurement starts small.

        Without the rewrite the file keeps growing across measurements and Redis rewrites it on its own in
        the middle of one, forking and copying while it is being measured.
        """
        self.redis("FLUSHALL")
        self.redis("BGREWRITEAOF")
        for _ in range(300):
            info = self.redis("INFO", "persistence")
            if "aof_rewrite_in_progress:0" in info and "aof_rewrite_scheduled:0" in info:
                return
            time.sleep(0.1)

    def reset(self, directory_yaml, appendfsync="always"):
        """Stops Tocsin, empties Redis and Tocsin's database, migrates, imports `directory_yaml`.

        Redis fsyncs its append-only file at every write unless told otherwise: the setting README.md
        recommends for no loss window, and the one the demo and the tests use.
        """
        self.stop_tocsin()
        self.appendfsync(appendfsync)
        self.empty_redis()
        self.psql("DROP DATABASE IF EXISTS tocsin WITH (FORCE)", database="postgres", user="postgres")
        self.psql("CREATE DATABASE tocsin OWNER tocsin", database="postgres", user="postgres")
        self.tocsin_command("migrate")
        path = os.path.join(self.data, "directory.yml")
        with open(path, "w") as file:
            file.write(directory_yaml)
        self.tocsin_command("directory", "import", path)

    # MARK: - Tocsin

    def tocsin_env(self, **settings):
        """Tocsin's environment: the bench's stores and simulator, and `settings` on top."""
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("TOCSIN_", "TELEGRAM_"))}
        env.update({
            "TOCSIN_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "TOCSIN_DATABASE_URL": f"postgresql://tocsin@127.0.0.1:{self.pg_port}/tocsin",
            "TOCSIN_KEY_PREFIX": KEY_PREFIX,
            "TOCSIN_LISTEN": f"127.0.0.1:{TOCSIN_PORT}",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_CHAT_ID": str(CHAT_ID),
            "TELEGRAM_API_URL": f"http://127.0.0.1:{SIM_PORT}",
        })
        env.update({name: str(value) for name, value in settings.items()})
        return env

    def tocsin_command(self, *args):
        argv = [os.path.join(self.bin, "tocsin"), *args]
        done = subprocess.run(argv, env=self.tocsin_env(), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise NotRun(f"tocsin {' '.join(args)} failed: {done.stderr.strip()[-200:]}")

    def start_tocsin(self, role, name=None, **settings):
        """Starts `tocsin ROLE` (run, ingest or worker) and waits until it serves or its loops started."""
        name = name or role
        self.procs.start(name, [os.path.join(self.bin, "tocsin"), role], env=self.tocsin_env(**settings))
        self.tocsin_names.append(name)
        if role in ("run", "ingest"):
            self.procs.wait_http(name, f"http://127.0.0.1:{TOCSIN_PORT}/readyz")
        if role in ("run", "worker"):
            self.procs.wait_log(name, "worker loop started")
        return self.procs.pid(name)

    def check_tocsin(self):
        """Raises when a Tocsin process of the measurement has exited: its figures would mean nothing."""
        for name in self.tocsin_names:
            code = self.procs.running[name].poll()
            if code is not None:
                raise NotRun(f"tocsin {name} exited mid-run (status {code}): {self.procs.tail(name, 1)}")

    def stop_tocsin(self):
        for name in self.tocsin_names:
            self.procs.stop(name)
        self.tocsin_names = []

    def queue_key(self, suffix):
        return f"{{{KEY_PREFIX}}}:{suffix}"

    # MARK: - Simulator

    def start_simulator(self):
        argv = [os.path.join(self.bin, "tocsin-telegram-sim"), "--listen", f"127.0.0.1:{SIM_PORT}",
                "--token", TOKEN, "--chat-id", str(CHAT_ID)]
        self.procs.start("simulator", argv)
        self.procs.wait_http("simulator", f"http://127.0.0.1:{SIM_PORT}/sim/config")

    # MARK: - Alertmanager

    def start_alertmanager(self, receivers, group_wait, group_interval="1h", group_by=("alertname", "service")):
        """Starts Debian's Alertmanager routing every alert to `receivers`: "tocsin" (its webhook) and/or
        "telegram" (its own telegram_configs, pointed at the simulator). With both, each alert goes to both
        through sibling routes that start their group_wait at the same instant."""
        folder = os.path.join(self.data, "alertmanager")
        os.makedirs(folder, exist_ok=True)
        storage = os.path.join(folder, f"data-{time.time_ns()}")
        config = os.path.join(folder, "alertmanager.yml")
        with open(config, "w") as file:
            file.write(self._alertmanager_config(receivers, group_wait, group_interval, group_by))
        binary = next((path for path in ("/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager")
                       if os.path.exists(path)), None)
        if binary is None:
            raise NotRun("Alertmanager is not installed (apt-get install prometheus-alertmanager)")
        url = f"http://127.0.0.1:{ALERTMANAGER_PORT}"
        # An empty cluster address turns gossip off: one Alertmanager, no port 9094.
        self.procs.start("alertmanager", [
            binary, f"--config.file={config}", f"--storage.path={storage}",
            f"--web.listen-address=127.0.0.1:{ALERTMANAGER_PORT}", f"--web.external-url={url}/",
            "--cluster.listen-address=", "--log.level=warn"])
        self.procs.wait_http("alertmanager", f"{url}/-/ready")
        return self.procs.pid("alertmanager")

    def _alertmanager_config(self, receivers, group_wait, group_interval, group_by):
        routes = []
        for index, receiver in enumerate(receivers):
            routes += [f"    - receiver: {receiver}", f"      continue: {str(index < len(receivers) - 1).lower()}"]
        definitions = {
            "tocsin": ["  - name: tocsin", "    webhook_configs:",
                       f"      - url: http://127.0.0.1:{TOCSIN_PORT}/alertmanager",
                       "        send_resolved: true"],
            "telegram": ["  - name: telegram", "    telegram_configs:",
                         f"      - bot_token: '{TOKEN}'", f"        chat_id: {CHAT_ID}",
                         f"        api_url: http://127.0.0.1:{SIM_PORT}", "        send_resolved: true"],
        }
        lines = ["route:", f"  receiver: {receivers[0]}", f"  group_by: [{', '.join(group_by)}]",
                 f"  group_wait: {group_wait}", f"  group_interval: {group_interval}", "  repeat_interval: 4h",
                 "  routes:", *routes, "receivers:"]
        for receiver in receivers:
            lines += definitions[receiver]
        return "\n".join(lines) + "\n"

    def post_alerts(self, body):
        post(ALERTMANAGER_PORT, "/api/v2/alerts", body)

    def stop_alertmanager(self):
        self.procs.stop("alertmanager")
