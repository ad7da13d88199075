"""The keys of the USB bundles (docs/bundles.md): the centre's key pair, the station's signing key.

**The centre** has one identity, made once and kept in its database (``centre_keys``): an id,
an X25519 key that bundles are encrypted to, and an Ed25519 key that signs receipts. Its
public half travels as one line, the *centre key*::

    ektp-centre-1:<centre id, 32 hex>:<Ed25519 public, base64url>:<X25519 public, base64url>

``central centre-key`` prints it (``central add-station`` says so); a station takes it with
``config set centre-key``. It is no secret; a station checks receipts against it, and a
bundle made with another one is refused at the centre ("made for another centre").

**The station** signs its bundles with an Ed25519 key derived from its token (HKDF-SHA256,
a fixed label): the token is already the station's one secret, given once by
``central add-station``, so nothing more has to be carried to the counter, and a token
rotated or revoked takes its signing key with it. The centre keeps the token's sha256 only;
it stores the public signing key (``stations.bundle_key``) when it makes the token.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "CENTRE_KEY_PREFIX",
    "CentreKey",
    "b64",
    "public_bytes",
    "station_public_key",
    "station_signing_key",
    "unb64",
    "verify",
]

CENTRE_KEY_PREFIX = "ektp-centre-1"
_SIGNING_LABEL = b"ektp-station bundle signing key/1"
_CENTRE_KEY = re.compile(
    rf"{CENTRE_KEY_PREFIX}:([0-9a-f]{{32}}):([A-Za-z0-9_-]{{43}}):([A-Za-z0-9_-]{{43}})"
)
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_bytes(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(*_RAW)


@dataclass(frozen=True, slots=True)
class CentreKey:
    """The public half of a centre's identity (what a station is given)."""

    centre_id: str
    sign_key: Ed25519PublicKey
    box_key: X25519PublicKey

    def __str__(self) -> str:
        return ":".join(
            (
                CENTRE_KEY_PREFIX,
                self.centre_id,
                b64(public_bytes(self.sign_key)),
                b64(public_bytes(self.box_key)),
            )
        )

    @classmethod
    def parse(cls, text: str) -> CentreKey:
        """ValueError when ``text`` is not a centre key (a typo, a cut line)."""
        found = _CENTRE_KEY.fullmatch(text.strip())
        if found is None:
            raise ValueError("not a centre key")
        centre_id, sign, box = found.groups()
        try:
            return cls(
                centre_id,
                Ed25519PublicKey.from_public_bytes(unb64(sign)),
                X25519PublicKey.from_public_bytes(unb64(box)),
            )
        except (ValueError, binascii.Error) as exc:
            raise ValueError("not a centre key") from exc


def station_signing_key(token: str) -> Ed25519PrivateKey:
    """The station's bundle signing key, derived from its token (see the module's docstring)."""
    if not token:
        raise ValueError("no token")
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SIGNING_LABEL).derive(
        token.encode("utf-8")
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def station_public_key(token: str) -> str:
    """What the centre stores for the station (base64url of the raw Ed25519 public key)."""
    return b64(public_bytes(station_signing_key(token).public_key()))


def verify(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
