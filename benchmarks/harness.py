#!/usr/bin/env python3
"""Panel's benchmark harness (`make bench`): the targets of issue 7, measured on the local pool.

Python standard library only. Run from the repository root after `swift build` (benchmarks/run.sh
does both). Every measurement gets its own temporary SQLite store (`--db`), so the cache of one never
serves another, except the repeated selection of target 4, which reruns on the store of the first.

Targets (BENCHMARKS.md explains each definition and the settings):
  1. overhead_ratio      ask wall time / critical path of its model calls, worst mode    <= 1.02
     cli_start_ms        median start-up of `panel --help`                                <= 30
  2. saturation_ratio    evaluate tokens/s / raw llama-server tokens/s, same requests     >= 0.95
  3. halving_call_ratio  model calls of halving / of exhaustive selection, same choice    <= 0.50
  4. repeat_select_calls model calls of a repeated deterministic select-experts          == 0
  5. peak_rss_mb         peak RSS of a 200-item evaluate, flat as items grow              <= 100
  6. naive_ratio         Panel's Self-MoA wall time / a sequential urllib script's        (reported)

Writes benchmarks/results/latest.json and prints a table. Exits 0 when it measured everything
(missed targets are reported, not fatal; --strict makes them exit 1), 1 when a step failed.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
POOL = "pools/local.json"
RESULTS = os.path.join(ROOT, "benchmarks", "results")
# Base seeds of this run's asks. llama-server keeps earlier prompts in a host-memory cache, so seeds from an
# earlier run (same samples, hence the same fusion prompts) would find their prefill done: every run draws its own.
ASK_SEED = 10_000 + 100 * random.SystemRandom().randrange(100_000)
PANEL_SEED, NAIVE_SEED = ASK_SEED + 30, ASK_SEED + 60  # the compared Self-MoA runs (6 samples each by default)


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- processes -------------------------------------------------------------------------------------

class Ran:
    def __init__(self, cmd, rc, stdout, stderr, start, end, seconds):
        self.cmd, self.rc, self.stdout, self.stderr = cmd, rc, stdout, stderr
        self.start, self.end, self.seconds = start, end, seconds  # unix times, and perf_counter duration


def run(cmd, check=True, stdin=None):
    """Runs a command to completion; start/end are unix times taken just before the spawn and just after the exit."""
    start = time.time()
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, input=stdin, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    end = time.time()
    ran = Ran(cmd, proc.returncode, proc.stdout, proc.stderr, start, end, seconds)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return ran


# --- the store -------------------------------------------------------------------------------------

def calls(db):
    """Every recorded model call: its interval [created_at - latency, created_at] and what it was."""
    if not os.path.exists(db):
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT id, created_at, candidate, operation, request, tokens_in, tokens_out, latency_ms, outcome, run, response "
            "FROM calls ORDER BY id").fetchall()
    finally:
        con.close()
    keys = ["id", "end", "candidate", "operation", "request", "tokens_in", "tokens_out", "latency_ms", "outcome", "run",
            "response"]
    out = []
    for row in rows:
        call = dict(zip(keys, row))
        call["start"] = call["end"] - call["latency_ms"] / 1000
        out.append(call)
    return out


def defuse(text):
    """As Panel quotes a proposal in a fusion prompt (AggregationPrompt.defuse)."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def union_length(intervals):
    """Length of the union of [start, end] intervals: the time during which at least one call was running."""
    total, current = 0.0, None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current:
                total += current[1] - current[0]
            current = [start, end]
        else:
            current[1] = max(current[1], end)
    if current:
        total += current[1] - current[0]
    return total


def profile(rows, ran):
    """Splits a command's wall time into its model calls' critical path and what lies outside it."""
    if not rows:
        return {"calls": 0, "wall_s": ran.seconds}
    first = min(c["start"] for c in rows)
    last = max(c["end"] for c in rows)
    critical = union_length([(c["start"], c["end"]) for c in rows])
    wall = ran.end - ran.start
    return {
        "calls": len(rows),
        "tokens_in": sum(c["tokens_in"] for c in rows),
        "tokens_out": sum(c["tokens_out"] for c in rows),
        "wall_s": round(wall, 3),
        "critical_path_s": round(critical, 3),
        "ratio": round(wall / critical, 4),
        # wall = before the first call + critical path + gaps between calls + after the last call
        "before_first_call_s": round(first - ran.start, 3),
        "gaps_between_calls_s": round((last - first) - critical, 3),
        "after_last_call_s": round(ran.end - last, 3),
    }


def replay_requests(rows, pool):
    """The HTTP requests llama-server received for recorded calls (the body Panel's LlamaServerBackend builds)."""
    candidates = {c["id"]: c for c in pool["candidates"]}
    out = []
    for call in rows:
        if call["operation"] != "generate" or call["outcome"] != "ok":
            continue
        request = json.loads(call["request"])
        sampling = request["sampling"]
        candidate = candidates[call["candidate"]]
        url = candidate.get("url") or candidate["urls"][0]
        body = {}
        if "chat" in request["prompt"]:
            path = "/v1/chat/completions"
            body = {"model": candidate.get("model", candidate["id"]), "messages": request["prompt"]["chat"],
                    "stream": True, "stream_options": {"include_usage": True}, "max_tokens": sampling["max_tokens"],
                    "cache_prompt": True}
        else:
            path = "/completion"
            body = {"prompt": request["prompt"]["text"], "stream": True, "n_predict": sampling["max_tokens"],
                    "cache_prompt": True}
        body["temperature"] = sampling["temperature"]
        for key in ("top_p", "top_k", "seed"):
            if sampling.get(key) is not None:
                body[key] = sampling[key]
        if sampling.get("stop"):
            body["stop"] = sampling["stop"]
        out.append({"url": url, "path": path, "body": body})
    return out


def streamed(request):
    """Sends one streamed request as Panel does; returns (start, end, generated tokens)."""
    http = urllib.request.Request(request["url"] + request["path"], data=json.dumps(request["body"]).encode(),
                                  headers={"Content-Type": "application/json"})
    start = time.time()
    tokens = 0
    with urllib.request.urlopen(http, timeout=900) as response:
        for line in response:
            line = line.strip()
            if not line.startswith(b"data: ") or line == b"data: [DONE]":
                continue
            event = json.loads(line[6:])
            if event.get("usage"):
                tokens = event["usage"].get("completion_tokens", tokens)
            if event.get("stop") is True:  # /completion
                tokens = event.get("tokens_predicted", tokens)
                break
    return start, time.time(), tokens


def raw_load(requests, concurrency):
    """Replays requests with `concurrency` threads (a shared queue, as evaluate keeps c items in flight)."""
    lock = threading.Lock()
    queue = list(requests)
    done = []
    errors = []

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                request = queue.pop(0)
            try:
                result = streamed(request)
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                with lock:
                    errors.append(str(error))
                continue
            with lock:
                done.append(result)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"raw requests failed: {errors[:3]}")
    first = min(d[0] for d in done)
    last = max(d[1] for d in done)
    tokens = sum(d[2] for d in done)
    return {"requests": len(done), "tokens_out": tokens, "phase_s": round(last - first, 3),
            "tokens_per_s": round(tokens / (last - first), 2)}


class LoadMonitor:
    """Notes, every few seconds, other test runs or builds on the machine (they distort every number here)."""
    PATTERNS = ("PanelPackageTests", "swift-test", "swift-build")

    def __init__(self):
        self.seen = {}  # command line -> [first, last] seconds since the start
        self.phase = "start"
        self.phases = {}  # phase -> commands seen during it
        self.stop = threading.Event()
        self.start = time.perf_counter()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def others(self):
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    command = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                continue
            if any(p in command for p in self.PATTERNS):
                found.append(command[:160])
        return found

    def loop(self):
        while not self.stop.wait(5):
            now = round(time.perf_counter() - self.start)
            for command in self.others():
                self.seen.setdefault(command, [now, now])[1] = now
                self.phases.setdefault(self.phase, set()).add(command)

    def report(self):
        self.stop.set()
        return {"commands": [{"command": c, "seen_from_s": a, "seen_until_s": b} for c, (a, b) in self.seen.items()],
                "phases_affected": sorted(self.phases)}


# --- the harness -----------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.panel = os.path.join(ROOT, ".build", "debug", "panel")
        self.tmp = tempfile.mkdtemp(prefix="panel-bench-")
        self.results = {}
        self.rows = []  # (target, measured, goal, met)
        self.started_pool = False
        self.durations = {}
        self.load = {}  # phase -> 1-minute load average at its start and end
        self.failures = []
        self.monitor = LoadMonitor()
        with open(os.path.join(ROOT, POOL)) as f:
            self.local_pool = json.load(f)

    def row(self, order, row):
        self.rows.append((order, row))
        self.rows.sort(key=lambda entry: entry[0])

    @property
    def table_rows(self):
        return [row for _, row in self.rows]

    def path(self, name):
        return os.path.join(self.tmp, name)

    def store(self, name):
        db = self.path(f"{name}.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        return db

    def timed(self, name, fn):
        log(f"{name}…")
        self.monitor.phase = name
        load = os.getloadavg()[0]
        t = time.perf_counter()
        try:
            fn()
        except Exception as error:  # noqa: BLE001 - one failed step must not hide the others' numbers
            log(f"{name} FAILED: {error}")
            self.failures.append(f"{name}: {error}")
        self.durations[name] = round(time.perf_counter() - t, 1)
        self.load[name] = [round(load, 2), round(os.getloadavg()[0], 2)]
        log(f"{name}: {self.durations[name]} s")

    # -- environment --

    def machine(self):
        def sh(cmd):
            try:
                return subprocess.run(cmd, shell=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()
            except OSError:
                return ""
        mem_kb = 0
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
        status = sh("git status --porcelain --untracked-files=no")
        self.results["machine"] = {
            "nproc": os.cpu_count(), "lscpu": sh("lscpu | head -n 15").splitlines(),
            "ram_gb": round(mem_kb / 1024 / 1024, 1), "kernel": platform.release(),
            "swift": sh("swift --version 2>&1 | head -n 1"),
            "llama_server": sh(".venv/bin/llama-server --version 2>&1 | grep -i version | head -n 1"),
            "load_average_at_start": os.getloadavg(),
        }
        self.results["date_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.results["commit"] = sh("git rev-parse HEAD")
        self.results["working_tree"] = (
            "clean" if not status else f"{len(status.splitlines())} tracked files modified (uncommitted work is measured too)")
        self.results["build"] = "debug (.build/debug/panel, what `make` runs) unless a key says release"
        busy = sh("pgrep -fa 'PanelPackageTests|swift-test|swift-build' | grep -v pgrep")
        if busy:
            log("warning: tests or builds are running and will distort the numbers:\n" + busy)
        self.results["concurrent_load"] = busy.splitlines()

    def urls(self):
        out = []
        for candidate in self.local_pool["candidates"]:
            out += candidate.get("urls") or [candidate["url"]]
        return out

    @staticmethod
    def healthy(url):
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                return response.status == 200
        except Exception:  # noqa: BLE001
            return False

    def pool_up(self):
        up = [self.healthy(u) for u in self.urls()]
        if all(up):
            log("the local pool is up already: it stays up")
            return
        run([self.panel, "pool", "up", POOL])
        # Stopped at the end only when this run started all of it.
        self.started_pool = not any(up)
        if not self.started_pool:
            log("part of the local pool was up already: the whole pool stays up afterwards")

    def pool_down(self):
        if self.started_pool:
            log("stopping the local pool this run started")
            run([self.panel, "pool", "down", POOL], check=False)

    def derived_pools(self):
        """The local pool's servers, minus its default max_tokens so that --max-tokens takes effect (see
        BENCHMARKS.md: the pool's 384 would override it), plus a one-candidate pool of SmolLM2."""
        pool = json.loads(json.dumps(self.local_pool))
        pool["defaults"]["sampling"].pop("max_tokens", None)
        for candidate in pool["candidates"]:
            launch = candidate.get("launch")
            if launch:
                launch["model_file"] = os.path.normpath(os.path.join(ROOT, "pools", launch["model_file"]))
        self.pool_file = self.path("pool.json")
        with open(self.pool_file, "w") as f:
            json.dump(pool, f, indent=2)
        self.pool = pool
        smol = dict(pool, candidates=[c for c in pool["candidates"] if c["id"] == "smollm2-135m"])
        self.smol_pool_file = self.path("pool-smollm2.json")
        with open(self.smol_pool_file, "w") as f:
            json.dump(smol, f, indent=2)

    # -- micro-benchmarks and start-up --

    def micro(self):
        binary = os.path.join(ROOT, ".build", "release", "PanelBench")
        ran = run([binary], check=False)
        lines = [line for line in ran.stdout.splitlines() if line.strip()]
        print("\n".join(lines), flush=True)
        self.results["micro_benchmarks"] = {"exit_code": ran.rc, "lines": lines[1:], "all_met": ran.rc == 0}
        self.row(0, ("PanelBench micro-benchmarks (release)", "all met" if ran.rc == 0 else
                          f"{sum('MISSED' in line for line in lines)} missed", "all met", ran.rc == 0))

    def cli_start(self):
        def median_ms(binary):
            samples = []
            for _ in range(self.args.cli_runs + 2):
                t = time.perf_counter()
                subprocess.run([binary, "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                samples.append((time.perf_counter() - t) * 1000)
            samples = samples[2:]  # two warm-up runs: the page cache, not Panel
            return round(statistics.median(samples), 1), round(min(samples), 1), round(max(samples), 1)
        median, low, high = median_ms(self.panel)
        self.results["cli_start_ms"] = median
        self.results["cli_start"] = {"runs": self.args.cli_runs, "median_ms": median, "min_ms": low, "max_ms": high}
        release = os.path.join(ROOT, ".build", "release", "panel")
        if os.path.exists(release):
            r_median, r_low, r_high = median_ms(release)
            self.results["cli_start"]["release"] = {"median_ms": r_median, "min_ms": r_low, "max_ms": r_high}
        self.row(20, ("cli_start_ms: `panel --help`, median of %d" % self.args.cli_runs, f"{median:.1f} ms", "≤ 30 ms", median <= 30))

    # -- selection (targets 3 and 4; builds the ensembles of the other targets) --

    def kshot(self, name):
        path = os.path.join(ROOT, "evals", name, "kshot.jsonl")
        if not self.args.kshot_items:
            return os.path.relpath(path, ROOT)
        # --kshot-items: a smaller K-shot file for quick runs (its folder gives the task name).
        folder = self.path(name)
        os.makedirs(folder, exist_ok=True)
        with open(path) as f:
            lines = [line for line in f if line.strip()][: self.args.kshot_items]
        out = os.path.join(folder, "kshot.jsonl")
        with open(out, "w") as f:
            f.writelines(lines)
        return out

    def select(self, kshot, strategy, db, out):
        ran = run([self.panel, "select-experts", "--pool", self.pool_file, "--kshot", kshot, "--strategy", strategy,
                   "--max-tokens", str(self.args.select_max_tokens), "--db", db, "--out", out, "--json"])
        result = json.loads(ran.stdout)
        rows = calls(db)
        return {
            "strategy": strategy, "seconds": round(ran.seconds, 1), "chosen": result["chosen"], "mode": result["mode"],
            "aggregator": result["aggregator"], "model_calls_reported": result.get("model_calls"),
            "cache_hits": result.get("cache_hits"), "requests_used": result.get("requests_used"),
            "requests_exhaustive": result.get("requests_exhaustive"), "calls_in_store": len(rows),
            "calls_by_operation": {op: sum(1 for c in rows if c["operation"] == op) for op in sorted({c["operation"] for c in rows})},
        }

    def selection(self):
        gsm8k = self.kshot("gsm8k")
        db = self.store("select-exhaustive")
        self.gsm8k_ensemble = self.path("gsm8k.json")
        exhaustive = self.select(gsm8k, "exhaustive", db, self.gsm8k_ensemble)
        before = exhaustive["calls_in_store"]
        repeat = self.select(gsm8k, "exhaustive", db, self.path("gsm8k-repeat.json"))
        repeat["new_calls_in_store"] = repeat["calls_in_store"] - before
        halving = self.select(gsm8k, "halving", self.store("select-halving"), self.path("gsm8k-halving.json"))
        ratio = halving["calls_in_store"] / exhaustive["calls_in_store"]
        same = halving["chosen"] == exhaustive["chosen"]
        self.results["halving_call_ratio"] = round(ratio, 3)
        self.results["halving_same_choice"] = same
        self.results["repeat_select_calls"] = repeat["new_calls_in_store"]
        self.results["selection"] = {"kshot": gsm8k, "exhaustive": exhaustive, "halving": halving, "repeat": repeat}
        self.row(40, ("halving_call_ratio: halving / exhaustive model calls",
                          f"{ratio:.2f} ({halving['calls_in_store']}/{exhaustive['calls_in_store']}), "
                          + ("same experts" if same else f"chose {halving['chosen']} vs {exhaustive['chosen']}"),
                          "≤ 0.50, same experts", ratio <= 0.5 and same))
        self.row(50, ("repeat_select_calls: repeated select-experts",
                          f"{repeat['new_calls_in_store']} calls ({repeat['cache_hits']} cache hits)", "0",
                          repeat["new_calls_in_store"] == 0))
        # The MoE ensemble: routing needs a K-shot file that mixes kinds of questions.
        self.mixed_ensemble = self.path("mixed.json")
        mixed = self.select(self.kshot("mixed"), "exhaustive", self.store("select-mixed"), self.mixed_ensemble)
        self.results["selection"]["mixed"] = mixed

    # -- target 1: orchestration overhead of ask, and target 6: the naive baseline --

    def question(self, bench, want_choices):
        with open(os.path.join(ROOT, "evals", bench, "test.jsonl")) as f:
            for line in f:
                item = json.loads(line)
                if bool(item.get("choices")) == want_choices:
                    return item
        raise RuntimeError(f"no suitable question in evals/{bench}/test.jsonl")

    def ask(self, mode, tag, warm, extra=()):
        ensemble, item = (self.mixed_ensemble, self.mixed_item) if mode == "moe" else (self.gsm8k_ensemble, self.gsm8k_item)
        db = self.store(f"ask-{tag}")
        probe = None
        if warm:
            # Probes stored by `pool check` are reused by ask for 10 minutes: this run probes nothing.
            probe = run([self.panel, "pool", "check", self.pool_file, "--db", db]).seconds
        question = json.dumps({"question": item["question"], "choices": item["choices"]}) if item.get("choices") else item["question"]
        ran = run([self.panel, "ask", "--ensemble", ensemble, "--mode", mode, "--db", db,
                   "--max-tokens", str(self.args.ask_max_tokens), *(extra or ("--seed", str(ASK_SEED))), question])
        rows = calls(db)
        result = profile(rows, ran)
        result["probes"] = "stored beforehand by pool check" if warm else "probed by ask"
        if probe is not None:
            result["pool_check_s"] = round(probe, 3)
        result["summary"] = ran.stderr.strip().splitlines()[-1] if ran.stderr.strip() else ""
        samples = [c for c in rows if json.loads(c["request"])["sampling"].get("seed") is not None]
        if mode == "self-moa" and samples:
            result["sampling_phase_s"] = round(max(c["end"] for c in samples) - min(c["start"] for c in samples), 3)
            result["fusion_phase_s"] = round(sum(c["latency_ms"] for c in rows if c not in samples) / 1000, 3)
        return result, rows

    def overhead(self):
        # Where a probe's time goes (the largest part of ask's time before its first model call), request by request.
        ran = run([sys.executable, os.path.join(ROOT, "benchmarks", "probe_profile.py"), self.pool_file])
        profile_ = json.loads(ran.stdout)
        self.results["probe_profile"] = {
            "wall_ms": profile_["wall_ms"],
            "candidates": {cid: {"total_ms": v["total_ms"], **{s["request"]: s["ms"] for s in v["steps"]}}
                           for cid, v in profile_["candidates"].items()}}
        self.gsm8k_item = self.question("gsm8k", False)
        self.mixed_item = self.question("mixed", True)
        per_mode = {}
        per_mode["self-moa"] = {"cold": self.ask("self-moa", "self-moa-cold", warm=False)[0]}
        self.naive()
        for mode in ("moa", "moe", "vote"):
            per_mode[mode] = {"cold": self.ask(mode, f"{mode}-cold", warm=False)[0]}
        for mode in ("self-moa", "moa", "moe", "vote"):
            per_mode[mode]["warm"] = self.ask(mode, f"{mode}-warm", warm=True)[0]
        cold = max(per_mode[m]["cold"]["ratio"] for m in per_mode)
        warm = max(per_mode[m]["warm"]["ratio"] for m in per_mode)
        self.results["overhead_ratio"] = cold
        self.results["overhead_ratio_stored_probes"] = warm
        self.results["overhead"] = per_mode
        self.row(10, ("overhead_ratio: worst mode, fresh store", f"{cold:.3f} (stored probes: {warm:.3f})", "≤ 1.02", cold <= 1.02))
        for index, (mode, entry) in enumerate(per_mode.items()):
            c, w = entry["cold"], entry["warm"]
            self.row(11 + index, (f"  ask --mode {mode}: wall / critical path",
                              f"{c['ratio']:.3f} ({c['wall_s']:.2f}/{c['critical_path_s']:.2f} s); stored probes {w['ratio']:.3f}",
                              "≤ 1.02", c["ratio"] <= 1.02))

    def naive_workload(self, rows):
        """Panel's Self-MoA calls as the naive script's workload: the sample requests as sent, and the fusion
        requests with each quoted proposal replaced by a placeholder for the script's own answer."""
        requests = replay_requests(rows, self.pool)
        generations = [c for c in rows if c["operation"] == "generate" and c["outcome"] == "ok"]
        url = self.pool["candidates"][0]["urls"][0]  # one plain script, one server
        samples, rounds, known, unmatched = [], [], {}, 0
        fence = re.compile(r"(<<<BEGIN RESPONSE (\d+) (\w+)(?: \([^)]*\))?>>>\n)(.*?)(\n<<<END RESPONSE \2 \3>>>)", re.S)
        for call, request in zip(generations, requests):
            request["url"] = url
            text = json.loads(call["response"] or "{}").get("text", "")
            seed = request["body"].get("seed")
            if seed is not None and request["body"]["temperature"] > 0:
                # Other seeds than Panel's: the script's answers, hence its fusion prompts, are its own (the
                # server's prompt cache holds Panel's).
                request["body"]["seed"] = seed - PANEL_SEED + NAIVE_SEED
                samples.append(dict(request, seed=seed))
                known.setdefault(defuse(text), f"[[sample:{seed}]]")
                continue

            def placeholder(match):
                nonlocal unmatched
                if "(current best)" in match.group(1) and rounds:  # the previous round's synthesis
                    return match.group(1) + f"[[round:{len(rounds)}]]" + match.group(5)
                if match.group(4) not in known:
                    unmatched += 1
                    return match.group(0)
                return match.group(1) + known[match.group(4)] + match.group(5)
            for message in request["body"]["messages"]:
                message["content"] = fence.sub(placeholder, message["content"])
            rounds.append(request)
            known.setdefault(defuse(text), f"[[round:{len(rounds)}]]")
        return {"samples": samples, "rounds": rounds}, unmatched

    def naive(self):
        # Panel's Self-MoA on a fresh store, with seeds of its own; it runs after the cold Self-MoA ask, as the
        # naive script does, so both find the sample prompt in the server's prompt cache and neither finds
        # its fusion prompts there. The script then does the same work: as many samples, the same rounds.
        panel, rows = self.ask("self-moa", "self-moa-vs-naive", warm=False, extra=("--seed", str(PANEL_SEED)))
        workload, unmatched = self.naive_workload(rows)
        if unmatched:
            raise RuntimeError(f"{unmatched} quoted proposals of the recorded fusion rounds match no recorded answer")
        path = self.path("naive-workload.json")
        with open(path, "w") as f:
            json.dump(workload, f)
        script = os.path.join(ROOT, "benchmarks", "naive_selfmoa.py")
        naive = run([sys.executable, script, path])
        naive_result = json.loads(naive.stdout)
        naive_result["wall_s"] = round(naive.seconds, 3)
        ratio = panel["wall_s"] / naive.seconds
        self.results["naive_ratio"] = round(ratio, 3)
        self.results["naive"] = {"naive_script": naive_result, "panel": panel,
                                 "workload": f"{len(workload['samples'])} samples, {len(workload['rounds'])} fusion rounds"}
        self.row(70, ("naive_ratio: Panel Self-MoA wall / sequential urllib script",
                      f"{ratio:.2f} ({panel['wall_s']:.1f} s vs {naive.seconds:.1f} s)", "report (< 1: Panel faster)", None))

    # -- target 2: saturation --

    def smol_ensemble(self):
        """The gsm8k ensemble reduced to SmolLM2 alone on its one-candidate pool: `evaluate --modes vote
        --samples 1` is then exactly one sampled generation per item, a workload that can be mirrored."""
        with open(self.gsm8k_ensemble) as f:
            spec = json.load(f)
        spec["experts"] = [{"id": "smollm2-135m", "roles": ["proposer", "shared", "aggregator"], "accuracy": 0.0}]
        spec["aggregator"] = "smollm2-135m"
        spec["mode"] = "vote"
        with open(self.smol_pool_file, "rb") as f:
            spec["pool"] = {"path": self.smol_pool_file, "sha256": hashlib.sha256(f.read()).hexdigest()}
        path = self.path("smollm2-vote.json")
        with open(path, "w") as f:
            json.dump(spec, f, indent=2)
        return path

    def evaluate(self, ensemble, bench, items, max_tokens, db, concurrency):
        return [self.panel, "evaluate", "--ensemble", ensemble, "--bench", bench, "--limit", str(items),
                "--modes", "vote", "--samples", "1", "--max-tokens", str(max_tokens),
                "--concurrency", str(concurrency), "--db", db]

    def saturation(self):
        self.smol = self.smol_ensemble()
        items, c = self.args.sat_items, self.args.concurrency
        bench = os.path.join(ROOT, "evals", "gsm8k", "test.jsonl")
        passes = {}
        recorded = None
        # llama-server keeps prompts in a host-memory cache (--cache-ram, 8 GiB by default), so a second pass
        # over the same prompts skips their prefill. The first pass only records Panel's requests and fills that
        # cache; the measured passes then all meet the same cache: Panel, the raw replay, Panel again.
        for name in ("warm-up", "panel-1", "raw", "panel-2"):
            if name == "raw":
                passes[name] = raw_load(replay_requests(recorded, self.pool), c)
                continue
            db = self.store(f"saturation-{name}")
            ran = run(self.evaluate(self.smol, bench, items, self.args.sat_max_tokens, db, c))
            rows = [r for r in calls(db) if r["operation"] == "generate"]
            recorded = recorded or rows
            first, last = min(r["start"] for r in rows), max(r["end"] for r in rows)
            tokens = sum(r["tokens_out"] for r in rows if r["outcome"] == "ok")
            passes[name] = {"calls": len(rows), "errors": sum(r["outcome"] != "ok" for r in rows), "tokens_out": tokens,
                            "phase_s": round(last - first, 3), "tokens_per_s": round(tokens / (last - first), 2),
                            "process_wall_s": round(ran.seconds, 3),
                            "tokens_per_s_whole_process": round(tokens / ran.seconds, 2)}
        panel_rate = statistics.mean(passes[p]["tokens_per_s"] for p in ("panel-1", "panel-2"))
        raw = passes["raw"]
        ratio = panel_rate / raw["tokens_per_s"]
        self.results["saturation_ratio"] = round(ratio, 3)
        self.results["saturation"] = {"items": items, "concurrency": c, "max_tokens": self.args.sat_max_tokens,
                                      "model": "smollm2-135m", "passes": passes,
                                      "panel_tokens_per_s": round(panel_rate, 2)}
        self.row(30, (f"saturation_ratio: evaluate / raw llama-server tok/s (c={c})",
                      f"{ratio:.3f} ({panel_rate:.1f} vs {raw['tokens_per_s']:.1f} tok/s)", "≥ 0.95", ratio >= 0.95))

    # -- target 5: memory --

    def rss_bench(self, items):
        """A bench file of `items` GSM8K test items. evals/ holds 60 per set: the shared benchmarks' GSM8K test
        set (../shared/benchmarks/gsm8k.jsonl, 1319 items) when it is there, else evals/gsm8k/test.jsonl
        repeated with distinct ids (repeated questions cost Panel the same memory)."""
        shared = self.args.rss_source or os.path.join(ROOT, "..", "shared", "benchmarks", "gsm8k.jsonl")
        source = shared if os.path.exists(shared) else os.path.join(ROOT, "evals", "gsm8k", "test.jsonl")
        with open(source) as f:
            pool = [json.loads(line) for line in f if line.strip()]
        lines = []
        for index in range(items):
            item = pool[index % len(pool)]
            entry = {k: item[k] for k in ("id", "question", "choices", "answer") if k in item}
            if index >= len(pool):
                entry["id"] = f"{entry['id']}#{index // len(pool) + 1}"
            lines.append(json.dumps(entry))
        path = self.path(f"bench-{items}.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path, {"file": os.path.normpath(source), "items_in_file": len(pool)}

    def sampled_evaluate(self, items):
        bench, sources = self.rss_bench(items)
        db = self.store(f"rss-{items}")
        cmd = self.evaluate(self.smol, bench, items, self.args.rss_max_tokens, db, self.args.concurrency)
        out, err = open(self.path(f"rss-{items}.out"), "w"), open(self.path(f"rss-{items}.err"), "w")
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err)
        samples = []  # (seconds, rss MB, hwm MB, items done)
        done, con, tick = 0, None, 0
        status = None
        while True:
            pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(wait_status)
                proc.returncode = status
                break
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line)
                rss = int(fields["VmRSS"].split()[0]) / 1024
                hwm = int(fields["VmHWM"].split()[0]) / 1024
            except (OSError, KeyError, ValueError):
                rss = hwm = None
            if os.path.exists(db):
                try:
                    con = con or sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
                    done = con.execute("SELECT COUNT(*) FROM run_items").fetchone()[0]
                except sqlite3.Error:
                    pass
            if rss:  # 0 before the exec
                samples.append((round(time.perf_counter() - start, 2), round(rss, 1), round(hwm, 1), done))
            tick += 1
            time.sleep(0.1)
        if con:
            con.close()
        out.close()
        err.close()
        if status != 0:
            with open(self.path(f"rss-{items}.err")) as f:
                raise RuntimeError(f"evaluate exited {status}: {f.read()[-2000:]}")
        # The kernel's peak (ru_maxrss, KB on Linux) can miss the last moments before exit: the samples count too.
        peak = max([usage.ru_maxrss / 1024] + [max(s[1], s[2]) for s in samples])
        at = {}
        for mark in (items // 4, items // 2, 3 * items // 4, items):
            reached = [s for s in samples if s[3] >= mark]
            # The process may exit before a sample sees the last items committed: then its last sample stands in.
            at[str(mark)] = reached[0][1] if reached else (samples[-1][1] if samples and mark == items else None)
        return {"items": items, "seconds": round(time.perf_counter() - start, 1), "peak_rss_mb": round(peak, 1),
                "rss_mb_at_items_done": at, "samples": len(samples), "bench_source": sources,
                "timeline": samples[:: max(1, len(samples) // 60)]}

    def memory(self):
        small = self.sampled_evaluate(self.args.rss_items // 4)
        large = self.sampled_evaluate(self.args.rss_items)
        marks = large["rss_mb_at_items_done"]
        values = [v for v in marks.values() if v is not None]
        growth = (values[-1] - values[0]) if len(values) >= 2 else None
        peak = large["peak_rss_mb"]
        flat = growth is not None and growth <= 5 and peak - small["peak_rss_mb"] <= 5
        self.results["peak_rss_mb"] = peak
        self.results["rss_growth_mb"] = round(growth, 1) if growth is not None else None
        self.results["memory"] = {"small_run": small, "large_run": large,
                                  "flat_rule": "RSS grows ≤ 5 MB from 1/4 to all items done, and the peak of the "
                                               "full run is ≤ 5 MB above the peak of a run on 1/4 of the items"}
        self.row(60, (f"peak_rss_mb: evaluate of {self.args.rss_items} items, flat",
                          f"{peak:.1f} MB (run of {small['items']}: {small['peak_rss_mb']:.1f}); RSS at "
                          + "/".join(f"{v:.0f}" if v is not None else "?" for v in marks.values())
                          + f" MB at {'/'.join(marks)} items", "≤ 100 MB, flat", peak <= 100 and flat))

    # -- output --

    def table(self):
        rows = self.table_rows or [("(nothing measured)", "", "", None)]
        width = max(len(r[0]) for r in rows)
        mwidth = max(len(r[1]) for r in rows)
        lines = [f"{'target'.ljust(width)}  {'measured'.ljust(mwidth)}  {'goal':<28} met?",
                 "-" * (width + mwidth + 40)]
        for target, measured, goal, met in rows:
            mark = "–" if met is None else ("yes" if met else "NO")
            lines.append(f"{target.ljust(width)}  {measured.ljust(mwidth)}  {goal:<28} {mark}")
        return "\n".join(lines)

    def main(self):
        total = time.perf_counter()
        self.started_at = time.time()
        self.machine()
        self.derived_pools()
        try:
            self.timed("pool", self.pool_up)
            self.timed("micro-benchmarks", self.micro)
            self.timed("start-up", self.cli_start)
            self.timed("selection", self.selection)
            if hasattr(self, "gsm8k_ensemble") and os.path.exists(self.gsm8k_ensemble):
                self.timed("overhead and naive baseline", self.overhead)
                self.timed("saturation", self.saturation)
                if hasattr(self, "smol"):
                    self.timed("memory", self.memory)
        finally:
            self.pool_down()
        self.durations["total"] = round(time.perf_counter() - total, 1)
        if os.environ.get("BENCH_STARTED"):  # set by run.sh: the builds before the harness count too
            self.durations["builds"] = round(self.started_at - float(os.environ["BENCH_STARTED"]), 1)
            self.durations["make_bench_total"] = round(time.time() - float(os.environ["BENCH_STARTED"]), 1)
        self.results["load_average_at_end"] = os.getloadavg()
        self.results["settings"] = {
            "select_max_tokens": self.args.select_max_tokens, "ask_max_tokens": self.args.ask_max_tokens,
            "kshot_items": self.args.kshot_items or "all (20)", "saturation_items": self.args.sat_items,
            "saturation_max_tokens": self.args.sat_max_tokens, "concurrency": self.args.concurrency,
            "ask_seed": ASK_SEED, "panel_seed_vs_naive": PANEL_SEED, "naive_seed": NAIVE_SEED,
            "rss_items": self.args.rss_items, "rss_max_tokens": self.args.rss_max_tokens, "cli_runs": self.args.cli_runs,
        }
        self.results["seconds"] = self.durations
        self.results["load_average_by_phase"] = self.load
        self.results["other_activity"] = self.monitor.report()
        if self.results["other_activity"]["phases_affected"]:
            log("warning: other test runs or builds ran during: " + ", ".join(self.results["other_activity"]["phases_affected"]))
        self.results["failures"] = self.failures
        self.results["table"] = [{"target": t, "measured": m, "goal": g, "met": ok} for t, m, g, ok in self.table_rows]
        os.makedirs(RESULTS, exist_ok=True)
        out = self.args.out or os.path.join(RESULTS, "latest.json")
        with open(out, "w") as f:
            json.dump(self.results, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print()
        print(self.table())
        print()
        took = self.durations.get("make_bench_total", self.durations["total"])
        print(f"results: {os.path.relpath(out, ROOT)}; took {took / 60:.1f} min"
              + (f" ({self.durations['builds'] / 60:.1f} of them building)" if "builds" in self.durations else "")
              + (f"; {len(self.failures)} step(s) FAILED" if self.failures else ""))
        if self.args.keep:
            print(f"stores and files kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        if self.failures:
            return 1
        if self.args.strict and any(r[3] is False for r in self.table_rows):
            return 1
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--select-max-tokens", type=int, default=48)
    parser.add_argument("--ask-max-tokens", type=int, default=64)
    parser.add_argument("--kshot-items", type=int, default=0, help="use only the first n K-shot items (0: all)")
    parser.add_argument("--sat-items", type=int, default=40)
    parser.add_argument("--sat-max-tokens", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=4, help="evaluate's --concurrency (its default)")
    parser.add_argument("--rss-items", type=int, default=200)
    parser.add_argument("--rss-max-tokens", type=int, default=4)
    parser.add_argument("--rss-source", help="GSM8K-style JSONL for the memory run (default ../shared/benchmarks/gsm8k.jsonl)")
    parser.add_argument("--cli-runs", type=int, default=20)
    parser.add_argument("--out", help="results file (default benchmarks/results/latest.json)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary stores")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--quick", action="store_true", help="small settings for trying the harness out")
    args = parser.parse_args()
    if args.quick:
        args.kshot_items = args.kshot_items or 6
        args.select_max_tokens, args.ask_max_tokens = 16, 16
        args.sat_items, args.sat_max_tokens, args.rss_items, args.cli_runs = 8, 16, 40, 5
    # SIGTERM ends the run like Ctrl-C does: through main's `finally`, which stops a pool this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(Bench(args).main())


if __name__ == "__main__":
    main()
