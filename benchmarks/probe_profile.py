#!/usr/bin/env python3
"""Where the time of Panel's server probe goes: the requests LlamaServerBackend.probe() sends, timed one by one.

Usage: probe_profile.py POOL.json   (prints JSON)

A profile for BENCHMARKS.md, not a measurement of Panel itself: it sends, per candidate and in the
same order, the requests a probe sends (health, props, LoRA list, tokenize, a one-token completion
with logprobs, a one-token chat, a one-token forced-decoding score, embeddings), all candidates at
once as PoolSession.open probes them, and reports each request's latency and each candidate's total.
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request


def call(url, method="GET", body=None, stream=False):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    status = 200
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    ms = (time.perf_counter() - start) * 1000
    return status, payload, ms


def probe(candidate, out):
    base = (candidate.get("urls") or [candidate["url"]])[0]
    steps = []

    def step(name, *args, **kwargs):
        status, payload, ms = call(base + args[0], *args[1:], **kwargs)
        steps.append({"request": name, "status": status, "ms": round(ms, 1)})
        return payload

    start = time.perf_counter()
    step("GET /health", "/health")
    props = json.loads(step("GET /props", "/props") or b"{}")
    for url in (candidate.get("urls") or [])[1:]:
        status, _, ms = call(url + "/props")
        steps.append({"request": "GET /props (replica)", "status": status, "ms": round(ms, 1)})
    step("GET /lora-adapters", "/lora-adapters")
    step("POST /tokenize", "/tokenize", "POST", {"content": "Hello", "add_special": False, "parse_special": False})
    step("POST /completion (1 token, logprobs)", "/completion", "POST",
         {"prompt": "The capital of France is", "stream": True, "n_predict": 1, "cache_prompt": True,
          "temperature": 0, "n_probs": 1})
    if props.get("chat_template"):
        step("POST /v1/chat/completions (1 token)", "/v1/chat/completions", "POST",
             {"model": candidate.get("model", ""), "messages": [{"role": "user", "content": "Say hi."}], "stream": True,
              "stream_options": {"include_usage": True}, "max_tokens": 1, "cache_prompt": True, "temperature": 0})
    prompt = json.loads(step("POST /tokenize (score prompt)", "/tokenize", "POST",
                             {"content": "The capital of France is", "add_special": True, "parse_special": False}) or b"{}")
    reference = json.loads(step("POST /tokenize (score reference)", "/tokenize", "POST",
                                {"content": " Paris", "add_special": False, "parse_special": False}) or b"{}")
    tokens = [t if isinstance(t, int) else t.get("id") for t in reference.get("tokens", [])]
    step("POST /completion (forced decoding)", "/completion", "POST",
         {"prompt": prompt.get("tokens", []), "stream": True, "n_predict": len(tokens), "cache_prompt": True,
          "temperature": 0, "n_probs": 1, "grammar": "root ::= " + " ".join(f"<[{t}]>" for t in tokens)})
    step("POST /v1/embeddings", "/v1/embeddings", "POST", {"input": ["probe"], "model": candidate.get("model", "")})
    out[candidate["id"]] = {"total_ms": round((time.perf_counter() - start) * 1000, 1), "steps": steps}


def main():
    with open(sys.argv[1]) as f:
        pool = json.load(f)
    out = {}
    start = time.perf_counter()
    threads = [threading.Thread(target=probe, args=(c, out)) for c in pool["candidates"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"wall_ms": round((time.perf_counter() - start) * 1000, 1), "candidates": out}, indent=1))


if __name__ == "__main__":
    main()
