"""An Airflow home for in-process runs: the project's dags folder, quiet logs, a migrated metadata database.

Airflow reads its configuration when first imported, so ``configure`` must run before anything imports it. The
home lives in the output folder (``OUT/airflow``) and names no absolute path: Airflow's own ``airflow.cfg`` would
write the folder's path into every path setting, and a copy of the folder would go on using the original's
metadata database. Ours holds only the secrets its processes share; every path is Airflow's default, under
``AIRFLOW_HOME``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import re
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PR_SET_PDEATHSIG = 1

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DAGS_FOLDER = PROJECT_ROOT / "dags"


PORTABLE_CONFIG = """\
# The Airflow home of one output folder, written by zgc. No path is set here: Airflow puts its database, logs and
# generated files under AIRFLOW_HOME, so a copy of the output folder is a home of its own. The secrets below are
# shared by this home's processes (api-server, scheduler, workers) and by nothing else.
[core]
fernet_key = {fernet_key}

[api]
secret_key = {secret_key}

[api_auth]
jwt_secret = {jwt_secret}
"""


class CopiedHomeError(RuntimeError):
    """An Airflow home whose configuration names another folder's files."""


def configure(home: Path) -> Path:
    """Point Airflow at ``home`` (unless the caller already configured Airflow) and at the project's DAGs."""
    owned = "AIRFLOW_HOME" not in os.environ
    home = Path(os.environ.setdefault("AIRFLOW_HOME", str(home.resolve())))
    home.mkdir(parents=True, exist_ok=True)
    if owned:
        _portable_config(home)
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS_FOLDER))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "120")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # A person is watching an in-process run: an operational failure should stop it, not wait out retries.
    os.environ.setdefault("ZGC_TASK_RETRIES", "0")
    return home


def _portable_config(home: Path) -> None:
    """Write the home's ``airflow.cfg`` before Airflow writes its own; refuse one that names another folder (an
    output folder copied with a configuration Airflow wrote)."""
    config = home / "airflow.cfg"
    if not config.exists():
        from cryptography.fernet import Fernet

        text = PORTABLE_CONFIG.format(
            fernet_key=Fernet.generate_key().decode(),
            secret_key=secrets.token_urlsafe(32),
            jwt_secret=secrets.token_urlsafe(64),
        )
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        return
    named = re.findall(
        r"^\s*(?:sql_alchemy_conn|base_log_folder|dags_folder)\s*=\s*(?:sqlite:///)?(/\S+)",
        config.read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    foreign = [path for path in named if not Path(path).is_relative_to(home)]
    if foreign:
        raise CopiedHomeError(
            f"{config} 指向另一个目录的文件（{foreign[0]}）：这个输出目录是复制来的，沿用它会写入原目录的 Airflow "
            f"元数据库。请删除 {home}（只含 Airflow 的运行记录；台账、交付文件和存档不受影响）后重新运行"
        )


def ensure_metadata_database(home: Path) -> None:
    """Create or upgrade Airflow's metadata database once; later runs skip the migration."""
    with metadata_database(home):
        pass


@contextmanager
def metadata_database(home: Path) -> Iterator[None]:
    """Create or upgrade Airflow's metadata database once, in a child process that runs while the block does; the
    database is ready when the block has ended. The block must not touch it: importing Airflow and parsing the DAG
    (about 3 s) go on beside the migration (about 5 s) on a second core, instead of before or after it.

    One migration at a time per home (a second command waits for the first), and the ``airflow db migrate``
    child dies with the command that started it: a killed command never leaves a migration running on its own
    while a re-run starts another.
    """
    marker = home / ".zgc-migrated"
    if marker.exists():
        yield
        return
    with _migration_lock(home):
        if marker.exists():  # migrated by the command we waited for
            yield
            return
        child = subprocess.Popen(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
            preexec_fn=_die_with_parent,
        )
        try:
            yield
        finally:
            stdout, stderr = child.communicate()
        if child.returncode != 0:
            tail = (stderr or stdout).strip().splitlines()[-5:]
            raise RuntimeError("Airflow 元数据库初始化失败：" + " / ".join(tail))
        marker.write_text("ok\n")


@contextmanager
def _migration_lock(home: Path) -> Iterator[None]:
    fd = os.open(home / ".zgc-migrate.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released by the kernel if this process dies
        yield
    finally:
        os.close(fd)


def _die_with_parent() -> None:
    """In the child, before it runs: the kernel sends it SIGKILL when its parent dies (Linux prctl)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
