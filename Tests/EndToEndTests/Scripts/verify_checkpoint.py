#!/usr/bin/env python3
"""Independent verifier of a C2SP signed-note checkpoint, written from the spec
(c2sp.org/signed-note, c2sp.org/tlog-checkpoint) with Python's `cryptography`, to show that
ns-node's checkpoints verify outside this project.

usage: verify_checkpoint.py NOTE_FILE KEY_NAME PUBLIC_KEY_BASE64
prints "<origin> <size> <root hex>" and exits 0 when the signature verifies, 1 otherwise.
"""
import base64
import hashlib
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def main() -> int:
    note_path, name, key_b64 = sys.argv[1:4]
    note = open(note_path, "rb").read().decode("utf-8")
    body, _, signatures = note.partition("\n\n")
    body += "\n"
    origin, size, root_b64 = body.split("\n")[:3]
    public_key = base64.b64decode(key_b64)
    key_id = hashlib.sha256(name.encode() + b"\n" + b"\x01" + public_key).digest()[:4]
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            return 1
        signer, blob_b64 = line[2:].split(" ")
        blob = base64.b64decode(blob_b64)
        if signer != name or blob[:4] != key_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(blob[4:], body.encode())
        except Exception:
            return 1
        print(origin, int(size), base64.b64decode(root_b64).hex())
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
