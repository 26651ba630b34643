"""pipeline-bench's figures: each completed job's creation time (from the queue) against the time
of the block holding its transaction, read through ns-node's API (GET /v1/blocks/{height}), so
the same code measures a ledger in SQLite or in PostgreSQL. Arguments: nsd's data folder and
ns-node's port. Writes the number of committed artifacts to DATA/committed.count."""
import http.client
import json
import sqlite3
import sys

data, nsport = sys.argv[1], sys.argv[2]
ns = http.client.HTTPConnection("127.0.0.1", int(nsport), timeout=30)


def get(path):
    ns.request("GET", path)
    reply = ns.getresponse()
    body = reply.read()
    if reply.status != 200:
        sys.exit(f"GET {path} answered {reply.status}: {body[:300]!r}")
    return json.loads(body)


block_time, tx_block = {}, {}
for height in range(1, get("/v1/blocks/latest")["height"] + 1):
    block = get(f"/v1/blocks/{height}")
    block_time[height] = block["header"]["time"]
    for tx_hash in block["txs"]:
        tx_block[tx_hash] = height

queue = sqlite3.connect(f"{data}/vp-node-data/queue.db", timeout=30)
rows = []
for created, result in queue.execute("select created_at, result from jobs where state = 'completed'"):
    height = tx_block.get(json.loads(bytes(result))["txHash"])
    if height is not None:
        rows.append((created, block_time[height]))
states = dict(queue.execute("select state, count(*) from jobs group by state").fetchall())
if not rows:
    sys.exit(f"no committed jobs; job states: {states}")
latencies = sorted(block - created for created, block in rows)
span = (max(b for _, b in rows) - min(c for c, _ in rows)) / 1000
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print(f"job states: {states}")
print(f"committed: {len(rows)} artifacts in {span:.1f}s from first submission to last block = {len(rows) / span:,.0f} artifacts/s")
print(f"submit-to-committed latency: p50 {pick(0.5) / 1000:.2f}s  p99 {pick(0.99) / 1000:.2f}s  max {latencies[-1] / 1000:.2f}s")
with open(f"{data}/committed.count", "w") as out:
    out.write(str(len(rows)))
