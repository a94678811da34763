#!/usr/bin/env python3
"""Make synthetic tokens of a provider's documented shape for detector
examples and fixtures: random characters, and a valid checksum where the
format carries one (GitHub/npm CRC32-base62). Never a live credential.

    gen_token.py github ghp      ->  ghp_<30 random><6 crc>
    gen_token.py chars N [alphabet]  ->  N random characters
"""
import random
import string
import sys
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def base62(n, width=6):
    out = ""
    while n:
        out = B62[n % 62] + out
        n //= 62
    return out.rjust(width, "0")


def crc_token(prefix, rng):
    body = "".join(rng.choice(B62) for _ in range(30))
    return f"{prefix}_{body}{base62(zlib.crc32(body.encode()))}"


def main():
    rng = random.Random(sys.argv[-1] if len(sys.argv) > 3 else None)
    kind = sys.argv[1]
    if kind == "github":
        print(crc_token(sys.argv[2], rng))
    elif kind == "chars":
        alphabet = sys.argv[3] if len(sys.argv) > 3 else string.ascii_letters + string.digits
        print("".join(rng.choice(alphabet) for _ in range(int(sys.argv[2]))))


if __name__ == "__main__":
    main()
