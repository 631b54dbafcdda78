"""A certificate of our own for 127.0.0.1, so the emulator and the benchmark sink can speak https as Aikido does.

`Certificate.make` signs one with a new key (cryptography, which PyGithub brings); `server()`
is the context to serve with, and `ca` the file a client trusts it by: `SSL_CERT_FILE` for the
action (as a runner with a corporate CA sets it), `NODE_EXTRA_CA_CERTS` for Aikido's CLI.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""

    ca: Path
    key: Path

    @classmethod
    def make(cls, directory: Path) -> Certificate:
        from cryptography import x509  # noqa: PLC0415 -- only where https is served
        from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415 -- as above
        from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415 -- as above
        from cryptography.x509.oid import NameOID  # noqa: PLC0415 -- as above

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aikido-gate loopback")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        made = cls(directory / "loopback-ca.pem", directory / "loopback-key.pem")
        made.ca.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        made.key.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return made

    def server(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca, self.key)
        return context
