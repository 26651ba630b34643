#!/usr/bin/env python3
"""Independent verifier of ns-node's tiled log, written from the specifications
(c2sp.org/tlog-tiles, c2sp.org/tlog-checkpoint, c2sp.org/signed-note, RFC 6962) with Python's
standard library and `cryptography` for Ed25519: it shares no code with ns-node.

usage: verify_tiles.py NS_URL ORIGIN PUBLIC_KEY_BASE64

Fetches NS_URL/tlog/checkpoint and checks its signature; fetches every full and partial hash tile
and entry bundle of that tree; checks that each entry hashes to its leaf in the level-0 tiles, that
each full tile hashes to its hash in the tile above, and that the tiles give the checkpoint's root;
builds inclusion and consistency proofs from the tiles for sampled leaves and sizes and compares
them with NS_URL/v1/proof/inclusion and /v1/proof/consistency. Prints one summary line and exits 0,
or prints what failed on stderr and exits 1.
"""
import base64
import gzip
import hashlib
import json
import sys
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TILE_HEIGHT = 8
FULL_WIDTH = 1 << TILE_HEIGHT


class Failure(Exception):
    pass


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def largest_power_of_two_below(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def index_path(n, width):
    groups = []
    while True:
        groups.insert(0, "%03d" % (n % 1000))
        n //= 1000
        if n == 0:
            break
    encoded = "/".join(["x" + group for group in groups[:-1]] + [groups[-1]])
    return encoded if width == FULL_WIDTH else "%s.p/%d" % (encoded, width)


def fetch_encoded(url):
    """The body, decoded, and its Content-Encoding ("identity" when none). Asks for gzip and
    identity, as c2sp.org/tlog-tiles says clients should."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, identity"})
    with urllib.request.urlopen(request, timeout=60) as response:
        data, encoding = response.read(), response.headers.get("Content-Encoding", "identity")
    if encoding == "gzip":
        return gzip.decompress(data), encoding
    if encoding != "identity":
        raise Failure("%s came with Content-Encoding %s, which was not asked for" % (url, encoding))
    return data, encoding


def fetch(url):
    return fetch_encoded(url)[0]


def verify_checkpoint(note, origin, public_key):
    """The size and root of a checkpoint signed by `origin`'s key, or Failure."""
    body, _, signatures = note.partition("\n\n")
    body += "\n"
    lines = body.split("\n")
    if lines[0] != origin:
        raise Failure("the checkpoint's origin is %r, not %r" % (lines[0], origin))
    size, root = int(lines[1]), base64.b64decode(lines[2])
    key_id = sha256(origin.encode() + b"\n\x01" + public_key)[:4]
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            continue
        name, blob = line[2:].split(" ")
        blob = base64.b64decode(blob)
        if name == origin and blob[:4] == key_id:
            try:
                Ed25519PublicKey.from_public_bytes(public_key).verify(blob[4:], body.encode())
            except Exception:
                raise Failure("the checkpoint's signature does not verify")
            return size, root
    raise Failure("the checkpoint carries no signature by %s" % origin)


class TiledLog:
    """Every hash tile of a tree of `size` leaves, as the hashes of each tile level in order."""

    def __init__(self, base, size):
        self.base, self.size = base, size
        self.levels = []
        self.full = self.partial = 0
        level = 0
        while size >> (TILE_HEIGHT * level):
            count = size >> (TILE_HEIGHT * level)
            hashes = []
            for n in range((count + FULL_WIDTH - 1) // FULL_WIDTH):
                width = min(FULL_WIDTH, count - n * FULL_WIDTH)
                path = "tile/%d/%s" % (level, index_path(n, width))
                data = fetch(base + path)
                if len(data) != 32 * width:
                    raise Failure("%s is %d bytes, not %d" % (path, len(data), 32 * width))
                hashes += [data[i:i + 32] for i in range(0, len(data), 32)]
                if width == FULL_WIDTH:
                    self.full += 1
                else:
                    self.partial += 1
            self.levels.append(hashes)
            level += 1
        self.nodes = {}

    def node(self, height, index):
        """The hash of the complete subtree of 2^height leaves at `index`, from the tiles."""
        key = (height, index)
        if key not in self.nodes:
            level, rest = divmod(height, TILE_HEIGHT)
            hashes = self.levels[level][index << rest:(index + 1) << rest]
            if len(hashes) != 1 << rest:
                raise Failure("the tiles hold no node at height %d index %d" % (height, index))
            while len(hashes) > 1:
                hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
            self.nodes[key] = hashes[0]
        return self.nodes[key]

    def mth(self, lo, hi):
        """RFC 6962 Merkle Tree Hash of leaves [lo, hi)."""
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return self.node(n.bit_length() - 1, lo // n)
        k = largest_power_of_two_below(n)
        return node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))

    def inclusion(self, m, lo, hi):
        """RFC 6962 PATH(m, D[lo:hi])."""
        n = hi - lo
        if n == 1:
            return []
        k = largest_power_of_two_below(n)
        if m < k:
            return self.inclusion(m, lo, lo + k) + [self.mth(lo + k, hi)]
        return self.inclusion(m - k, lo + k, hi) + [self.mth(lo, lo + k)]

    def consistency(self, m, lo, hi, complete=True):
        """RFC 6962 SUBPROOF(m, D[lo:hi], complete)."""
        n = hi - lo
        if m == n:
            return [] if complete else [self.mth(lo, hi)]
        k = largest_power_of_two_below(n)
        if m <= k:
            return self.consistency(m, lo, lo + k, complete) + [self.mth(lo + k, hi)]
        return self.consistency(m - k, lo + k, hi, False) + [self.mth(lo, lo + k)]


def check_entries(log):
    """Every entry bundle parses into the level-0 tile's width of entries hashing to its leaves."""
    bundles, compressed = 0, 0
    leaves = log.levels[0]
    for n in range((len(leaves) + FULL_WIDTH - 1) // FULL_WIDTH):
        width = min(FULL_WIDTH, len(leaves) - n * FULL_WIDTH)
        path = "tile/entries/" + index_path(n, width)
        (data, encoding), offset, entries = fetch_encoded(log.base + path), 0, []
        compressed += encoding == "gzip"
        while offset < len(data):
            if offset + 2 > len(data):
                raise Failure("%s ends inside a length prefix" % path)
            length = int.from_bytes(data[offset:offset + 2], "big")
            entries.append(data[offset + 2:offset + 2 + length])
            if len(entries[-1]) != length:
                raise Failure("%s ends inside entry %d" % (path, len(entries) - 1))
            offset += 2 + length
        if len(entries) != width:
            raise Failure("%s holds %d entries, not %d" % (path, len(entries), width))
        for i, entry in enumerate(entries):
            if leaf_hash(entry) != leaves[n * FULL_WIDTH + i]:
                raise Failure("%s: entry %d does not hash to leaf %d of the level-0 tile" % (path, i, n * FULL_WIDTH + i))
        bundles += 1
    return bundles, compressed


def check_full_tiles(log):
    """Each full tile's root is its hash in the tile one level up."""
    for level, hashes in enumerate(log.levels[:-1]):
        for n in range(len(hashes) // FULL_WIDTH):
            if log.node(TILE_HEIGHT * (level + 1), n) != log.levels[level + 1][n]:
                raise Failure("tile/%d/%s does not hash to its hash in level %d" % (level, index_path(n, FULL_WIDTH), level + 1))


def check_proofs(log, ns_url):
    size = log.size
    leaves = sorted(set(list(range(0, size, max(1, size // 40))) + [size - 1]))
    inclusions = 0
    for leaf in leaves:
        for tree in sorted({leaf + 1, (leaf + size) // 2 + 1, size}):
            answer = json.loads(fetch("%s/v1/proof/inclusion?leaf=%d&size=%d" % (ns_url, leaf, tree)))
            expected = [h.hex() for h in log.inclusion(leaf, 0, tree)]
            if answer["proof"] != expected or answer["rootHash"] != log.mth(0, tree).hex():
                raise Failure("the inclusion proof of leaf %d in %d differs from the one the tiles give" % (leaf, tree))
            inclusions += 1
    consistencies = 0
    olds = sorted({s for s in [1, 2, 3, 255, 256, 257, size // 3, size // 2, size - 1, size] if 1 <= s <= size})
    for old in olds:
        for new in sorted({old, (old + size) // 2, size}):
            answer = json.loads(fetch("%s/v1/proof/consistency?from=%d&to=%d" % (ns_url, old, new)))
            expected = [h.hex() for h in log.consistency(old, 0, new)]
            if answer["proof"] != expected or answer["fromRoot"] != log.mth(0, old).hex() or answer["toRoot"] != log.mth(0, new).hex():
                raise Failure("the consistency proof from %d to %d differs from the one the tiles give" % (old, new))
            consistencies += 1
    return inclusions, consistencies


def main():
    ns_url, origin, key_b64 = sys.argv[1:4]
    ns_url = ns_url.rstrip("/")
    base = ns_url + "/tlog/"
    try:
        size, root = verify_checkpoint(fetch(base + "checkpoint").decode("utf-8"), origin, base64.b64decode(key_b64))
        log = TiledLog(base, size)
        if log.mth(0, size) != root:
            raise Failure("the tiles give the root %s, not the checkpoint's %s" % (log.mth(0, size).hex(), root.hex()))
        check_full_tiles(log)
        bundles, compressed = check_entries(log)
        inclusions, consistencies = check_proofs(log, ns_url)
    except Failure as failure:
        print("verify_tiles: %s" % failure, file=sys.stderr)
        return 1
    print("verified %s size %d root %s: %d full and %d partial tiles, %d entry bundles (%d gzip-encoded), %d inclusion and %d consistency proofs equal"
          % (origin, size, root.hex(), log.full, log.partial, bundles, compressed, inclusions, consistencies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
