"""Pledge fixtures, built through the real services."""

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from blocs import services as bloc_services
from blocs.models import RoleAssignment
from pledges import services
from pledges.models import PledgeVersion

from ..conftest import PASSWORD, make_user

PASSPHRASE = "mat-khau-chung-thu"
ORGANISATION_CN = "Văn phòng Khối thi đua - chứng thư thử nghiệm"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The verification page counts checks per address in the cache: every test starts at 0."""
    cache.clear()
    yield
    cache.clear()


def self_signed_pkcs12(path, *, common_name: str = ORGANISATION_CN, passphrase: str = PASSPHRASE):
    """A throwaway self-signed certificate and its key in a PKCS#12 file; the certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Khối thi đua (thử nghiệm)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"to-chuc", key, cert, None, serialization.BestAvailableEncryption(passphrase.encode())
        )
    )
    return cert


def flip_signed_byte(pdf: bytes) -> bytes:
    """The signed PDF with one byte changed in the middle of the first signed range (the
    document itself, before the signature's own bytes)."""
    match = re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)", pdf)
    assert match, "not a signed PDF"
    i = int(match.group(1)) // 2
    flipped = pdf[:i] + bytes([pdf[i] ^ 0x01]) + pdf[i + 1 :]
    assert len(flipped) == len(pdf) and flipped != pdf
    return flipped


@pytest.fixture
def certificate(tmp_path, settings):
    """A throwaway self-signed organisation certificate, configured as the organisation's."""
    path = tmp_path / "to-chuc.p12"
    cert = self_signed_pkcs12(path)
    settings.PLEDGE_SIGNING_PKCS12_PATH = str(path)
    settings.PLEDGE_SIGNING_PKCS12_PASSPHRASE = PASSPHRASE
    return cert


COMMITMENTS = [
    services.CommitmentData(
        text="Thực hiện tốt nhiệm vụ cải cách hành chính; tăng cường kỷ luật, kỷ cương hành chính."
    ),
    services.CommitmentData(
        text="Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn",
        target_value=Decimal("98.5"),
        target_unit="%",
    ),
]


def targets_for(unit_name: str) -> list[services.TargetData]:
    return [
        services.TargetData(
            description=f"Giải ngân vốn đầu tư công ({unit_name})",
            target_value=Decimal("95"),
            unit_of_measure="%",
        ),
        services.TargetData(
            description="Tổ chức hội nghị tập huấn nghiệp vụ",
            target_value=Decimal("4"),
            unit_of_measure="hội nghị",
        ),
    ]


@dataclass
class PledgeSetup:
    world: object
    version: PledgeVersion
    leaders: dict  # unit pk -> leader user

    @property
    def units(self) -> list:
        return [self.world.head, self.world.deputy, self.world.member]


def draft_with_targets(world) -> PledgeVersion:
    secretariat = world.users["secretariat_here"]
    version = services.pledge_create(
        bloc_year=world.bloc_year,
        title="Giao ước thi đua năm 2020",
        preamble="Căn cứ Luật Thi đua, khen thưởng, các đơn vị thống nhất giao ước như sau.",
        commitments=COMMITMENTS,
        actor=secretariat,
    )
    for unit in (world.head, world.deputy, world.member):
        services.unit_targets_save(
            version=version, unit=unit, targets=targets_for(unit.name), actor=secretariat
        )
    return version


@pytest.fixture
def leaders(world) -> dict:
    """A leader with an e-mail address for every member unit of the world's bloc-year."""
    head_leader = world.users["leader_member"]
    head_leader.email = "lanhdao.bqlkkt@example.gov.vn"
    head_leader.first_name = "Nguyễn Văn An"
    head_leader.save()
    result = {world.head.pk: head_leader}
    for key, unit in (("deputy", world.deputy), ("member", world.member)):
        user = make_user(
            f"lanhdao.{key}", email=f"{key}@example.gov.vn", first_name=f"Lãnh đạo {key}"
        )
        bloc_services.role_assign(user=user, role=RoleAssignment.Role.LEADER, unit=unit)
        result[unit.pk] = user
    return result


@pytest.fixture
def draft(world) -> PledgeVersion:
    return draft_with_targets(world)


@pytest.fixture
def opened(world, leaders, draft) -> PledgeSetup:
    version = services.pledge_open(
        version=draft,
        deadline=timezone.localdate() + dt.timedelta(days=5),
        actor=world.users["secretariat_here"],
    )
    return PledgeSetup(world=world, version=version, leaders=leaders)


def sign(setup: PledgeSetup, unit, **extra):
    return services.pledge_sign(
        version=setup.version,
        unit=unit,
        user=setup.leaders[unit.pk],
        password=PASSWORD,
        ip_address="203.0.113.7",
        user_agent="pytest",
        **extra,
    )


@pytest.fixture
def fully_signed(opened) -> PledgeSetup:
    for unit in opened.units:
        sign(opened, unit)
    opened.version.refresh_from_db()
    assert opened.version.status == PledgeVersion.Status.SIGNED
    return opened


@contextlib.contextmanager
def triggers_disabled(*tables: str):
    """Bypass the immutability triggers, as someone with direct database access could: the
    tampering that verification must detect. Only inside a test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks would block ALTER TABLE: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                yield
            finally:
                for table in tables:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            saved = []
            for table in tables:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [table],
                )
                saved += cursor.fetchall()
            for name, _sql in saved:
                cursor.execute(f"DROP TRIGGER {name}")
            try:
                yield
            finally:
                for _name, sql in saved:
                    cursor.execute(sql)
