#!/usr/bin/env python3
"""Independent verifier of a C2SP cosignature/v1 (c2sp.org/tlog-cosignature) on a checkpoint,
written from the spec with Python's `cryptography`, to show that the witness's cosignatures
verify outside this project.

usage: verify_cosignature.py NOTE_FILE WITNESS_NAME WITNESS_PUBLIC_KEY_BASE64
NOTE_FILE holds the checkpoint note with the witness's signature line appended.
prints the cosignature's timestamp and exits 0 when it verifies, 1 otherwise.
"""
import base64
import hashlib
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def main() -> int:
    note_path, name, key_b64 = sys.argv[1:4]
    note = open(note_path, "rb").read().decode("utf-8")
    body, _, signatures = note.partition("\n\n")
    body += "\n"
    public_key = base64.b64decode(key_b64)
    key_id = hashlib.sha256(name.encode() + b"\n" + b"\x04" + public_key).digest()[:4]
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            return 1
        signer, blob_b64 = line[2:].split(" ")
        blob = base64.b64decode(blob_b64)
        if signer != name or blob[:4] != key_id or len(blob) != 76:
            continue
        (timestamp,) = struct.unpack(">Q", blob[4:12])
        message = b"cosignature/v1\ntime %d\n" % timestamp + body.encode()
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(blob[12:], message)
        except Exception:
            return 1
        print(timestamp)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
