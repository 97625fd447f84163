#!/usr/bin/env python3
"""Database tokens for the benchmarks, signed as the worker signs them: ES256 with the
stack's P-256 key (`$SHOAL_LOCAL/db_jwt_signing_key.json`, a private JWK), `kid` in the
header. Python's standard library has no ECDSA, so openssl signs: the JWK becomes a SEC1
PEM (fixed DER template for P-256) and openssl's DER signature becomes JWS's r || s.

usage: db_token.py STATE_DIR CLAIMS_JSON    (exp defaults to one hour from now)
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _pem(jwk):
    # ECPrivateKey (RFC 5915) for prime256v1: version 1, d, [0] curve OID, [1] public point
    der = (bytes.fromhex("30770201010420") + _unb64(jwk["d"]) + bytes.fromhex("a00a06082a8648ce3d030107a14403420004")
           + _unb64(jwk["x"]) + _unb64(jwk["y"]))
    return "-----BEGIN EC PRIVATE KEY-----\n" + base64.encodebytes(der).decode() + "-----END EC PRIVATE KEY-----\n"


def _raw_signature(der):
    # SEQUENCE { INTEGER r, INTEGER s } → 32-byte r || 32-byte s
    assert der[0] == 0x30
    i = 2 if der[1] < 0x80 else 3
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        out += der[i + 2:i + 2 + n].lstrip(b"\0").rjust(32, b"\0")
        i += 2 + n
    return out


def db_token(state_dir, claims):
    jwk = json.load(open(os.path.join(state_dir, "db_jwt_signing_key.json")))
    claims = dict({"exp": int(time.time()) + 3600}, **claims)
    signing_input = _b64(json.dumps({"alg": "ES256", "kid": jwk["kid"]}).encode()) + "." + _b64(json.dumps(claims).encode())
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as key:
        os.chmod(key.name, 0o600)
        key.write(_pem(jwk))
        key.flush()
        der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key.name], input=signing_input.encode(),
                             capture_output=True, check=True).stdout
    return signing_input + "." + _b64(_raw_signature(der))


if __name__ == "__main__":
    print(db_token(sys.argv[1], json.loads(sys.argv[2])))
