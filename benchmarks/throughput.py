#!/usr/bin/env python3
"""Generation throughput of a llama-server: N parallel chat requests of 200 tokens. Usage: throughput.py PORT N"""
import concurrent.futures
import json
import sys
import time
import urllib.request

port, parallel = int(sys.argv[1]), int(sys.argv[2])


def one(i):
    body = {"messages": [{"role": "user", "content": f"Write a story about cat number {i}."}],
            "temperature": 0.7, "seed": i, "max_tokens": 200}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request, timeout=600))["usage"]["completion_tokens"]


start = time.time()
with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
    tokens = sum(pool.map(one, range(parallel)))
elapsed = time.time() - start
print(f"port {port}: {parallel} parallel, {tokens} tokens in {elapsed:.1f} s = {tokens / elapsed:.1f} tokens/s")
