"""schemathesis hooks for schemathesis_gateway.sh (loaded through SCHEMATHESIS_HOOKS).

The one known false positive: JSON Schema counts 2.0 as an integer, so schemathesis 4 sends
whole numbers in JSON bodies spelled as floats (`"n": 2.0`) and expects a schema-valid request
to be accepted. The gateway's canonical JSON takes integers only as integer literals (the ledger
hashes exact bytes and has no floating point; docs/gateway.md), refusing `2.0` with a 422 that
names the byte, and JSON Schema has no way to say "spelled without fraction or exponent". This
hook spells such numbers as integers: the same JSON Schema value, so validity is unchanged.
Every other generated value, valid or not, goes out as generated.
"""
import schemathesis


def _integers_spelled_plainly(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integers_spelled_plainly(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integers_spelled_plainly(item) for item in value]
    return value


@schemathesis.hook
def map_body(context, body):
    return _integers_spelled_plainly(body)
