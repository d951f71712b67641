"""The RSA key that signs OpenID Connect ID tokens. Imported by the settings: no Django here."""

from __future__ import annotations

import os
from pathlib import Path

KEY_FILE = "oidc-rsa-key.pem"


def oidc_rsa_private_key(data_dir: Path) -> str:
    """PARTA_OIDC_RSA_KEY when set (a PEM), else the key kept in the data folder, generated on first use.

    Several processes may start at once; one deployment never signs with two keys (see below).
    """
    configured = os.environ.get("PARTA_OIDC_RSA_KEY", "").strip()
    if configured:
        return configured
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_text()
    # Written whole to a private temporary file, then hard-linked into place: linking fails if the file exists, so
    # a process that loses the race reads the winner's complete key, never a half-written one.
    pem = _new_key_pem()
    tmp = data_dir / f".{KEY_FILE}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(pem)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pem = path.read_text()
    finally:
        tmp.unlink()
    return pem


def _new_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode()
