"""Checks a compact JWS with a detached payload (RFC 7515 appendix F, alg EdDSA) with Python's
`cryptography`: an implementation independent of the server's. Exit 0: valid; 1: not.

usage: verify_jws.py JWKS_FILE PAYLOAD_FILE JWS_FILE
"""
import base64
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def main(jwks_file, payload_file, jws_file):
    jwks = json.load(open(jwks_file))
    payload = open(payload_file, "rb").read()
    jws = open(jws_file).read().strip()
    header_b64, detached, signature_b64 = jws.split(".")
    if detached:
        print("the payload is not detached")
        return 1
    header = json.loads(b64url_decode(header_b64))
    if header.get("alg") != "EdDSA":
        print("unexpected alg", header.get("alg"))
        return 1
    keys = [k for k in jwks["keys"] if k.get("kid") == header.get("kid")]
    if len(keys) != 1 or keys[0].get("kty") != "OKP" or keys[0].get("crv") != "Ed25519":
        print("no Ed25519 key with kid", header.get("kid"))
        return 1
    public = Ed25519PublicKey.from_public_bytes(b64url_decode(keys[0]["x"]))
    signing_input = header_b64.encode() + b"." + b64url_encode(payload)
    try:
        public.verify(b64url_decode(signature_b64), signing_input)
    except InvalidSignature:
        print("invalid signature")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
