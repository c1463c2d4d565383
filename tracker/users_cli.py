"""`tracker users ...`: the dashboard's accounts. Passwords come from a prompt (typed twice,
not echoed) or from standard input, never from an argument (arguments end up in shell
history and process lists). Every change is in the audit log (`tracker log`) with who made it
(`--as USER`, else the OS user); no password is ever written there."""

from __future__ import annotations

import sys
from typing import Any

import click

ROLE_CHOICE = click.Choice(["viewer", "editor", "admin"])


def _users(obj: Any) -> Any:
    from tracker import clock
    from tracker.pipeline import open_context
    from tracker.store.users import Users

    ctx = open_context(obj.loaded().settings, clock.now())
    return Users(ctx.store)


def _read_password() -> str:
    """Typed twice at a terminal; otherwise the first line of standard input."""
    from tracker.web.auth import check_password_policy

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    check_password_policy(password)
    return str(password)


@click.group()
def users() -> None:
    """Dashboard users: viewers read, editors also correct, admins also manage users."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=ROLE_CHOICE, default="viewer", show_default=True, help="Rights.")
@click.pass_obj
def users_add(obj: Any, name: str, role: str) -> None:
    """Add user NAME; the password is read from a prompt or standard input."""
    from tracker import clock
    from tracker.web.auth import check_name, hash_password

    check_name(name)
    store = _users(obj)
    if store.get(name) is not None:
        from tracker.errors import TrackerError

        raise TrackerError(f"user '{name}' exists already (use `tracker users passwd`)")
    store.add(name, role, hash_password(_read_password()), clock.now(), by=obj.who)
    click.echo(f"added {name} ({role})")


@users.command("list")
@click.pass_obj
def users_list(obj: Any) -> None:
    """List the users and their roles."""
    found = _users(obj).all()
    if not found:
        click.echo("no users (add one with `tracker users add NAME --role admin`)")
    for u in found:
        since = f"{u.created_at:%Y-%m-%d}" if u.created_at else ""
        click.echo(f"{u.name:<30} {u.role:<8} since {since}")


@users.command("remove")
@click.argument("name")
@click.pass_obj
def users_remove(obj: Any, name: str) -> None:
    """Remove user NAME; their sessions end at once."""
    from tracker import clock

    _users(obj).remove(name, clock.now(), by=obj.who)
    click.echo(f"removed {name}")


@users.command("passwd")
@click.argument("name")
@click.pass_obj
def users_passwd(obj: Any, name: str) -> None:
    """Set NAME's password (prompt or standard input); their sessions end."""
    from tracker import clock
    from tracker.errors import NotFoundError
    from tracker.web.auth import hash_password

    store = _users(obj)
    if store.get(name) is None:
        raise NotFoundError(f"no user '{name}' (see `tracker users list`)")
    store.set_password(name, hash_password(_read_password()), clock.now(), by=obj.who)
    click.echo(f"password of {name} changed")


@users.command("role")
@click.argument("name")
@click.argument("role", type=ROLE_CHOICE)
@click.pass_obj
def users_role(obj: Any, name: str, role: str) -> None:
    """Give NAME another role; their sessions end, so it applies at once."""
    from tracker import clock

    _users(obj).set_role(name, role, clock.now(), by=obj.who)
    click.echo(f"{name} is now {role}")
