"""A self-signed certificate for ``localhost``, made once per test session.

Made with the ``cryptography`` package when it is installed, else with the
``openssl`` command; without either, every test that needs it is skipped.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest


def _make_with_cryptography(certfile: Path, keyfile: Path) -> bool:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return False
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return True


def _make_with_openssl(certfile: Path, keyfile: Path) -> bool:
    openssl = shutil.which("openssl")
    if openssl is None:
        return False
    proc = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(keyfile), "-out", str(certfile)],
        capture_output=True, timeout=60)
    return proc.returncode == 0


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """``(certfile, keyfile)`` paths of a fresh self-signed ``localhost`` certificate."""
    where = tmp_path_factory.mktemp("tls")
    certfile, keyfile = where / "cert.pem", where / "key.pem"
    if not (_make_with_cryptography(certfile, keyfile) or _make_with_openssl(certfile, keyfile)):
        pytest.skip("needs the cryptography package or the openssl command")
    return str(certfile), str(keyfile)
