#!/usr/bin/env python3
"""make test-load: many scripted consultations at once over real ssh to one consult-sshd.

Opens SESSIONS clients (`ssh -tt`, the Debian OpenSSH client) in waves, all waiting at their
first question; reports the server's RSS and open descriptors at 0, 100 and SESSIONS sessions and
the time to the first question of one more client while all are open; then lets every client go
through a short consultation at once (English, an answer refused on purpose carrying the client's
own token, no consent, topic "prices", closing). It checks that every client ends with exit status
0 and saw only its own token, and that every transcript verifies and holds exactly one token,
the client's. Exit status 1 if anything failed. Figures on standard output.
"""
import argparse, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time

FIRST = "Choose your language"
PROMPT = "\x1b[1m>\x1b[0m "  # consult's prompt, in bold, once it waits for an answer


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


class Client:
    def __init__(self, index, port, home):
        self.index = index
        self.token = f"load-token-{index:04d}-x"
        self.output = bytearray()
        self.lock = threading.Condition()
        self.go = threading.Event()
        self.error = None
        self.status = None
        self.first_question = None
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            ["ssh", "-tt", "-F", "/dev/null", "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=60",
             "-p", str(port), f"applicant{index}@127.0.0.1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "HOME": home, "TERM": "xterm", "LANG": "C.UTF-8"})
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()
        self.worker = threading.Thread(target=self.script, daemon=True)
        self.worker.start()

    def read(self):
        fd = self.process.stdout.fileno()
        while True:
            data = os.read(fd, 65536)
            if not data:
                break
            with self.lock:
                self.output += data
                self.lock.notify_all()
        with self.lock:
            self.lock.notify_all()

    def text(self):
        with self.lock:
            return self.output.decode("utf-8", "replace")

    def wait_for(self, text, after=0, timeout=120):
        deadline = time.monotonic() + timeout
        needle = text.encode()
        with self.lock:
            while True:
                found = self.output.find(needle, after)
                if found >= 0:
                    return found + len(needle)
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None and not self.reader.is_alive():
                    raise RuntimeError(f"client {self.index}: no '{text}' within {timeout} s; last output: "
                                       + self.output[-300:].decode("utf-8", "replace"))
                self.lock.wait(min(left, 1))

    def type(self, line):
        self.process.stdin.write(line.encode() + b"\r")
        self.process.stdin.flush()

    def script(self):
        try:
            at = self.wait_for(FIRST)
            at = self.wait_for(PROMPT, at)
            self.first_question = time.monotonic() - self.started
            self.go.wait()
            self.type("1")
            at = self.wait_for("no)", at)  # "(yes / no)", with no-break spaces
            at = self.wait_for(PROMPT, at)
            self.type(self.token)
            at = self.wait_for(self.token, at)
            at = self.wait_for(PROMPT, at)
            self.type("n")
            at = self.wait_for("What would you like to know about?", at)
            at = self.wait_for(PROMPT, at)
            self.type("3")
            self.status = self.process.wait(timeout=120)
        except Exception as error:  # noqa: BLE001 - reported with the client's number
            self.error = str(error)
            self.process.kill()
            self.process.wait()
        finally:
            try:
                self.process.stdin.close()
            except OSError:
                pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_wave(clients, count, port, home, parallel=25):
    """Opens `count` more clients, `parallel` connecting at a time, and waits for their first question."""
    start = len(clients)
    wave = []
    for i in range(start, start + count):
        wave.append(Client(i, port, home))
        clients.append(wave[-1])
        if len(wave) % parallel == 0:
            for c in wave[-parallel:]:
                wait_first(c)
    for c in wave:
        wait_first(c)


def wait_first(client, timeout=120):
    deadline = time.monotonic() + timeout
    while client.first_question is None and client.error is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if client.first_question is None:
        raise RuntimeError(client.error or f"client {client.index}: no first question within {timeout} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binaries = os.path.abspath(args.bin)
    scratch = tempfile.mkdtemp(prefix="consult-load-")
    data = os.path.join(scratch, "data")
    home = os.path.join(scratch, "home")
    os.makedirs(home)
    os.chmod(scratch, 0o700)
    port = free_port()
    limit = str(args.sessions + 10)
    server = subprocess.Popen(
        [os.path.join(binaries, "consult-sshd"), "--listen", f"127.0.0.1:{port}",
         "--host-key", os.path.join(scratch, "host_key"), "--data-dir", data, "--today", "2026-11-25",
         "--dialogs", os.path.join(root, "dialogs"), "--locales", os.path.join(root, "locales"),
         "--max-sessions", limit, "--max-sessions-per-address", limit, "--max-connections-per-minute", "100000",
         "--max-unauthenticated", limit, "--max-unauthenticated-per-address", limit,
         "--login-grace-seconds", "120", "--version-grace-seconds", "60", "--idle-minutes", "30",
         "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(scratch, "server.log"), "w"))
    failures = []
    clients = []
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        time.sleep(0.3)
        load = os.getloadavg()[0]
        rows = [(0, rss_kib(server.pid), fds(server.pid))]
        first_wave = min(100, args.sessions)
        begun = time.monotonic()
        open_wave(clients, first_wave, port, home)
        time.sleep(0.5)
        rows.append((len(clients), rss_kib(server.pid), fds(server.pid)))
        open_wave(clients, args.sessions - first_wave, port, home)
        opened = time.monotonic() - begun
        time.sleep(0.5)
        rows.append((len(clients), rss_kib(server.pid), fds(server.pid)))
        live = len(children(server.pid))
        # One more while all are open: its time to the first question.
        probes = []
        for k in range(5):
            c = Client(args.sessions + k, port, home)
            wait_first(c)
            probes.append(c.first_question * 1000)
            clients.append(c)
        firsts = sorted(c.first_question * 1000 for c in clients[:args.sessions])
        print(f"load test: {args.sessions} sessions to one consult-sshd on 127.0.0.1 (load average {load:.2f} before)")
        print(f"  opened in {opened:.1f} s, 25 connecting at a time; consult children running: {live}")
        print("  sessions   server RSS   server fds")
        for n, rss, fd in rows:
            print(f"  {n:8d}   {rss / 1024:7.1f} MiB   {fd:10d}")
        print(f"  first question while opening: median {firsts[len(firsts) // 2]:.0f} ms, max {firsts[-1]:.0f} ms")
        print(f"  first question with {args.sessions} open: " + ", ".join(f"{p:.0f}" for p in probes) + " ms")
        # Every client through its consultation at once.
        begun = time.monotonic()
        for c in clients:
            c.go.set()
        for c in clients:
            c.worker.join(timeout=300)
        print(f"  {len(clients)} consultations run at once in {time.monotonic() - begun:.1f} s")
        for c in clients:
            if c.error:
                failures.append(c.error)
            elif c.status != 0:
                failures.append(f"client {c.index}: exit status {c.status}")
            text = c.text()
            others = [o.token for o in clients if o is not c and o.token in text]
            if c.token not in text or others:
                failures.append(f"client {c.index}: its screen shows {others} (own token shown: {c.token in text})")
        # The transcripts: each intact, each with exactly one client's token.
        verify = subprocess.run([os.path.join(binaries, "consult"), "transcripts", "verify", "--all", "--data-dir", data],
                                capture_output=True, text=True)
        if verify.returncode != 0:
            failures.append("transcripts verify --all: " + (verify.stdout + verify.stderr)[-2000:])
        folder = os.path.join(data, "transcripts")
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        owners = {}
        for name in names:
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                body = f.read()
            tokens = [c.token for c in clients if c.token in body]
            if len(tokens) != 1:
                failures.append(f"{name}: tokens {tokens}")
            for t in tokens:
                owners.setdefault(t, []).append(name)
        for c in clients:
            if len(owners.get(c.token, [])) != 1:
                failures.append(f"client {c.index}: transcripts {owners.get(c.token, [])}")
        print(f"  transcripts: {len(names)} for {len(clients)} clients; verify exit {verify.returncode}")
        print(f"  server after: {rss_kib(server.pid) / 1024:.1f} MiB RSS, {fds(server.pid)} fds")
    except Exception as error:  # noqa: BLE001
        failures.append(f"load test stopped: {error}")
    finally:
        for c in clients:
            if c.process.poll() is None:
                c.process.kill()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        if failures:
            print(f"FAILED ({len(failures)}):")
            for f in failures[:30]:
                print("  " + f)
            print(f"  server log: {os.path.join(scratch, 'server.log')}")
        elif not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print("PASSED" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
