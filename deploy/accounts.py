"""The deployment's roles and first users, in the FAB auth manager's database (idempotent: run at every init).

Three roles, on top of what Airflow's own *Viewer* role may read (the UI needs all of it), plus the project's UI
plugin (``Plugins``):

- ``bureau``: reads the DAG and answers its sign-off. Airflow 3.3 lets a user PATCH ``…/hitlDetails`` only with
  ``can_edit`` on ``HITL Detail`` *and* ``can_edit`` on the DAG; the bureau gets both, the latter on
  ``DAG:zgc_annual_cycle`` only. It cannot trigger, clear or set variables.
- ``operator``: unpauses and triggers runs, clears task instances and sets the budget variable; no ``can_edit`` on
  ``HITL Detail``, so its PATCH of the sign-off is refused (403).
- ``viewer``: reads.

The roles are the repository's: every run brings each one to exactly these permissions (make another role for
local changes). The first users come from ``AIRFLOW_<WHO>_USERNAME`` / ``AIRFLOW_<WHO>_PASSWORD``; a user that
exists already keeps its password (change it in the UI or with ``airflow users reset-password``) and gets its role
added if it lacks it. FAB's own helper ``get_application_builder`` (what its ``airflow users``/``roles`` commands
use) gives the security manager, so passwords never appear on a command line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DAG_ID = "zgc_annual_cycle"
DAG_RESOURCE = f"DAG:{DAG_ID}"
Permission = tuple[str, str]  # (action, resource), FAB's names

READ_PLUGIN: frozenset[Permission] = frozenset({("can_read", "Plugins"), ("menu_access", "Plugins")})
ANSWER_SIGN_OFF: frozenset[Permission] = frozenset(
    {("can_edit", "HITL Detail"), ("menu_access", "HITL Detail"), ("can_edit", DAG_RESOURCE)}
)
RUN_THE_CYCLE: frozenset[Permission] = frozenset(
    {
        ("can_edit", DAG_RESOURCE),  # unpause; every write below also needs it
        ("can_create", "DAG Runs"),  # trigger
        ("can_edit", "DAG Runs"),  # clear (with the next one)
        ("can_edit", "Task Instances"),
        ("can_create", "Variables"),  # zgc_budget_<year>
        ("can_read", "Variables"),
        ("can_edit", "Variables"),
        ("menu_access", "Variables"),
        ("menu_access", "Admin"),
    }
)
ROLE_NAMES = ("bureau", "operator", "viewer")


@dataclass(frozen=True)
class FirstUser:
    """A user made at init from two environment variables, with one role."""

    who: str
    role: str
    required: bool = True

    @property
    def username_variable(self) -> str:
        return f"AIRFLOW_{self.who}_USERNAME"

    @property
    def password_variable(self) -> str:
        return f"AIRFLOW_{self.who}_PASSWORD"


FIRST_USERS = (
    FirstUser("ADMIN", "Admin"),
    FirstUser("BUREAU", "bureau"),
    FirstUser("OPERATOR", "operator"),
    FirstUser("VIEWER", "viewer", required=False),
)


def role_permissions(viewer: Iterable[Permission]) -> dict[str, frozenset[Permission]]:
    """Each project role's permissions, given what FAB's Viewer role holds."""
    base = frozenset(viewer) | READ_PLUGIN
    return {"bureau": base | ANSWER_SIGN_OFF, "operator": base | RUN_THE_CYCLE, "viewer": base}


def wanted_users(env: Mapping[str, str]) -> tuple[list[tuple[FirstUser, str, str]], list[str]]:
    """(user, username, password) for every first user the environment names, and what is missing."""
    users, missing = [], []
    for user in FIRST_USERS:
        name, password = env.get(user.username_variable, ""), env.get(user.password_variable, "")
        if name and password:
            users.append((user, name, password))
        elif user.required or name:
            missing += [
                v for v, given in ((user.username_variable, name), (user.password_variable, password)) if not given
            ]
    return users, missing


def _sync_role(sm: Any, name: str, wanted: frozenset[Permission]) -> tuple[int, int]:
    """Bring one role to exactly ``wanted``; returns (added, removed)."""
    role = sm.add_role(name)  # returns the existing role when there is one
    held = {(p.action.name, p.resource.name): p for p in role.permissions if p.action and p.resource}
    for action, resource in sorted(wanted - held.keys()):
        sm.add_permission_to_role(role, sm.create_permission(action, resource))
    for key in sorted(held.keys() - wanted):
        sm.remove_permission_from_role(role, held[key])
    now = {(p.action.name, p.resource.name) for p in sm.find_role(name).permissions if p.action and p.resource}
    if now != wanted:  # FAB's helpers log and swallow their errors: check what the database holds
        raise RuntimeError(f"角色 {name} 的权限未能写入：缺 {sorted(wanted - now)}，多 {sorted(now - wanted)}")
    return len(wanted - held.keys()), len(held.keys() - wanted)


def _ensure_user(sm: Any, username: str, password: str, role_name: str) -> str:
    """Create the user with its role, or add the role to an existing one (its password is left alone)."""
    role = sm.find_role(role_name)
    user = sm.find_user(username=username)
    if user is None:
        sm.add_user(username, username, role_name, f"{username}@users.invalid", role, password)
        if sm.find_user(username=username) is None:
            raise RuntimeError(f"用户 {username} 未能创建")
        return "已创建"
    if role not in user.roles:
        user.roles.append(role)
        sm.update_user(user)
        return f"已存在，已加上角色 {role_name}（密码未改）"
    return "已存在（密码未改）"


def sync_accounts(env: Mapping[str, str]) -> list[str]:
    """Roles to their definitions, first users created; one line per role and user saying what happened."""
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    users, missing = wanted_users(env)
    if missing:
        raise ValueError("缺少环境变量：" + "、".join(missing) + "（见 .env.example）")
    report = []
    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        for name, wanted in role_permissions(sm.VIEWER_PERMISSIONS).items():
            added, removed = _sync_role(sm, name, wanted)
            report.append(f"角色 {name}：{len(wanted)} 项权限（本次加 {added}、减 {removed}）")
        for user, username, password in users:
            report.append(f"用户 {username}（{user.role}）：{_ensure_user(sm, username, password, user.role)}")
    return report


def main() -> int:
    try:
        lines = sync_accounts(os.environ)
    except (ValueError, RuntimeError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
