"""Personal data is reduced before anything is written; secrets are removed from any text.

- Email addresses become a domain plus a keyed hash (HMAC-SHA256 with the installation's key), so
  that the same address links across platforms without being stored.
- Display names become a keyed hash of their normalised form (for identity linking only).
- `Redactor` removes tokens (and credential-looking query parameters) from log lines, error messages
  and anything else that is about to leave the process.
- `ForgetList` holds keyed hashes of the people `oss-miner forget` removed; the landing area drops their
  records before anything is written, so that later runs do not bring them back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

NOREPLY_DOMAIN = "users.noreply.github.com"
HASH_KEY_ENV = "OSS_MINER_HASH_KEY"
_KEY_FILE = "hash.key"


def load_hash_key(state_dir: Path, environ: dict[str, str] | None = None) -> bytes:
    """The installation's hashing key: OSS_MINER_HASH_KEY, else state_dir/hash.key (created on first use)."""
    env = os.environ if environ is None else environ
    if env.get(HASH_KEY_ENV):
        return env[HASH_KEY_ENV].encode("utf-8")
    path = state_dir / _KEY_FILE
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # atomic, and never overwrites a key another worker just wrote
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip().encode("utf-8")


class Hasher:
    """Keyed hashes of emails and names."""

    def __init__(self, key: bytes):
        self._key = key

    def _digest(self, text: str) -> str:
        return hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def email(self, address: str | None) -> tuple[str | None, str | None]:
        """(domain, keyed hash) of an email address; (None, None) when there is none."""
        address = normalise_email(address)
        if address is None:
            return None, None
        return email_domain(address), self._digest("email:" + address)

    def name(self, name: str | None) -> str | None:
        normalised = normalise_name(name)
        return self._digest("name:" + normalised) if normalised else None

    def identity(self, text: str) -> str:
        """Keyed hash of an identity (an account, an email identity, a login) for the forget list."""
        return self._digest("forget:" + text)


def normalise_email(address: str | None) -> str | None:
    if not address or not isinstance(address, str):
        return None
    address = address.strip().strip("<>").strip().lower()
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        return None
    return address


def email_domain(address: str) -> str:
    domain = address.rsplit("@", 1)[1].strip(". ")
    if domain.endswith("noreply.github.com"):
        return NOREPLY_DOMAIN
    return domain


def normalise_name(name: str | None) -> str:
    if not name or not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    return " ".join(text.split())


# Credentials that may appear in URLs or headers, whatever token is behind them.
_CREDENTIAL_PATTERNS = [
    re.compile(r"(?i)(access_token|private_token|token|client_secret)=([^&\s'\"]+)"),
    re.compile(r"(?i)(authorization|private-token)(['\"]?\s*[:=]\s*['\"]?)(bearer |token |basic )?([^\s'\",}]+)"),
]


class Redactor:
    """Removes known secrets and credential-looking parameters from text."""

    def __init__(self, secrets_: list[str] | None = None):
        self._secrets: set[str] = set()
        for secret in secrets_ or []:
            self.add(secret)

    def add(self, secret: str) -> None:
        if secret and len(secret) >= 4:
            self._secrets.add(secret)

    def __call__(self, text: object) -> str:
        out = str(text)
        for secret in sorted(self._secrets, key=len, reverse=True):
            out = out.replace(secret, "***")
        out = _CREDENTIAL_PATTERNS[0].sub(lambda m: f"{m.group(1)}=***", out)
        out = _CREDENTIAL_PATTERNS[1].sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) or ''}***", out)
        return out


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's message and arguments."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor(record.getMessage())
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redactor(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


REDACTOR = Redactor()


def install_redaction(secrets_: list[str]) -> Redactor:
    """Register secrets with the process-wide redactor and filter every log handler through it."""
    for secret in secrets_:
        REDACTOR.add(secret)
    root = logging.getLogger()
    if not any(isinstance(f, RedactingFilter) for f in root.filters):
        root.addFilter(RedactingFilter(REDACTOR))
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(REDACTOR))
    return REDACTOR


# -- forgotten people ----------------------------------------------------------------------------

# The records that belong to a person, per entity: (account-id column, email-identity column). An account
# id in `commits` is the GitHub account of a noreply address, whatever platform the commit was mined on.
PERSON_COLUMNS: dict[str, tuple[str, str | None]] = {
    "accounts": ("account_id", None),
    "contributors": ("account_id", "author_key"),
    "forks": ("owner_id", None),
    "stargazers": ("account_id", None),
    "dependents": ("owner_id", None),
    "commits": ("noreply_account_id", "author_key"),
}
FORGET_FILE = "forgotten.json"


def account_platform(entity: str, platform: str) -> str:
    """The platform of the account an entity's account-id column names."""
    return "github" if entity == "commits" else platform


class ForgetList:
    """Keyed hashes of the identities `oss-miner forget` removed: accounts, email identities and logins.

    Kept in the state folder (`forgotten.json`), never exported. Only keyed hashes are stored (HMAC with
    the installation's key), so the list names nobody to whoever reads it without the key. A record
    belongs to a forgotten person when its account id (or its email identity) is on the list; logins are
    kept only to recognise a `forget` that is asked again.
    """

    def __init__(self, hasher: Hasher, hashes: Iterable[str] = ()):
        self.hasher = hasher
        self.hashes = set(hashes)

    @classmethod
    def load(cls, state_dir: Path, hasher: Hasher) -> "ForgetList":
        path = state_dir / FORGET_FILE
        hashes = json.loads(path.read_text())["hashes"] if path.exists() else []
        return cls(hasher, hashes)

    def save(self, state_dir: Path) -> None:
        path = state_dir / FORGET_FILE
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        tmp.write_text(json.dumps({"version": 1, "hashes": sorted(self.hashes)}, indent=1))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    def __bool__(self) -> bool:
        return bool(self.hashes)

    # -- identities -------------------------------------------------------------------------------
    def _account(self, platform: str, account_id: Any) -> str:
        # ids are text (a numeric id keeps its decimal text, so lists written when ids were integers still match)
        return self.hasher.identity(f"account:{platform}:{str(account_id).strip()}")

    def _author(self, author_key: str) -> str:
        return self.hasher.identity(f"author:{author_key}")

    def _login(self, platform: str, login: str) -> str:
        return self.hasher.identity(f"login:{platform}:{login.lower()}")

    def add(self, accounts: Iterable[tuple[str, int | str]] = (), author_keys: Iterable[str] = (),
            logins: Iterable[tuple[str, str]] = ()) -> None:
        self.hashes |= {self._account(p, i) for p, i in accounts}
        self.hashes |= {self._author(k) for k in author_keys}
        self.hashes |= {self._login(p, login) for p, login in logins}

    def has_login(self, platform: str, login: str) -> bool:
        return self._login(platform, login) in self.hashes

    # -- records ----------------------------------------------------------------------------------
    def forgets(self, platform: str, entity: str, record: dict[str, Any]) -> bool:
        """Whether the record belongs to a forgotten person."""
        columns = PERSON_COLUMNS.get(entity)
        if columns is None or not self.hashes:
            return False
        id_column, key_column = columns
        account_id = record.get(id_column)
        if isinstance(account_id, (int, str)) and not isinstance(account_id, bool) and str(account_id).strip() and \
                self._account(account_platform(entity, platform), account_id) in self.hashes:
            return True
        key = record.get(key_column) if key_column else None
        return isinstance(key, str) and self._author(key) in self.hashes

    def keeps(self, platform: str, entity: str, record: dict[str, Any]) -> bool:
        return not self.forgets(platform, entity, record)
