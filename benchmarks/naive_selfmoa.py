#!/usr/bin/env python3
"""The naive baseline of `make bench`: a Self-MoA workload issued one request at a time, no early stop.

Usage: naive_selfmoa.py WORKLOAD.json

WORKLOAD.json holds the requests `panel ask --mode self-moa` sent (the harness takes them from
Panel's store): "samples", the N sample requests with their seeds, and "rounds", the fusion requests,
whose quoted proposals are placeholders, [[sample:SEED]] and [[round:R]], filled in here with this
script's own answers. So the script does Panel's work, not a replay of Panel's prompts (which the
server would have in its prompt cache). It is what someone would write without Panel: plain urllib,
one blocking request after the other against one server, non-streaming, nothing overlapped or skipped.
Prints one JSON line: requests, generated tokens and wall time.
"""
import json
import sys
import time
import urllib.request


def post(request, messages=None):
    body = dict(request["body"], stream=False)
    body.pop("stream_options", None)
    if messages is not None:
        body["messages"] = messages
    http = urllib.request.Request(request["url"] + request["path"], data=json.dumps(body).encode(),
                                  headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(http, timeout=900) as response:
        answer = json.load(response)
    if "choices" in answer:  # /v1/chat/completions
        return answer["choices"][0]["message"].get("content") or "", answer["usage"].get("completion_tokens", 0)
    return answer.get("content", ""), answer.get("tokens_predicted", 0)  # /completion


def quoted(text):
    # As Panel quotes a proposal: marker look-alikes defused.
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def main():
    start = time.perf_counter()
    with open(sys.argv[1]) as f:
        workload = json.load(f)
    tokens = 0
    answers = {}
    for request in workload["samples"]:
        text, used = post(request)
        answers[f"[[sample:{request['seed']}]]"] = text
        tokens += used
    sampled = time.perf_counter()
    for number, request in enumerate(workload["rounds"], start=1):
        messages = []
        for message in request["body"]["messages"]:
            content = message["content"]
            for placeholder, text in answers.items():
                content = content.replace(placeholder, quoted(text))
            messages.append(dict(message, content=content))
        text, used = post(request, messages)
        answers[f"[[round:{number}]]"] = text
        tokens += used
    requests = len(workload["samples"]) + len(workload["rounds"])
    end = time.perf_counter()
    print(json.dumps({"requests": requests, "tokens_out": tokens, "seconds": round(end - start, 3),
                      "sampling_phase_s": round(sampled - start, 3), "fusion_phase_s": round(end - sampled, 3)}))


if __name__ == "__main__":
    main()
