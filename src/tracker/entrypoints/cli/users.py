"""`tracker create-admin` and `tracker users ...`: manage accounts and admin rights."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from tracker.entrypoints.cli.base import main, migrated_container
from tracker.services import accounts, admin
from tracker.services.ports import UnitOfWork

UserChange = Callable[[UnitOfWork, admin.Actor, int], bool]


@main.command("create-admin")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input, without a prompt.",
)
@click.pass_context
def create_admin(ctx: click.Context, email: str, password_stdin: bool) -> None:
    """Create an admin account for EMAIL.

    Asks for the password twice, or reads it from standard input with
    --password-stdin. The password needs at least 8 characters, 4 of them
    different, with a letter and a digit or symbol. One of the most common
    passwords, or one that contains the name part of EMAIL, is rejected.
    """
    try:
        accounts.normalise_email(email)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    container = migrated_container(ctx)
    if password_stdin:
        password = _read_password_from_stdin(email)
    else:
        password = click.prompt(
            "Password",
            hide_input=True,
            confirmation_prompt=True,
            value_proc=lambda value: _strong_password(value, email),
        )
    try:
        user_id = admin.create_admin(
            container.uow(), container.hasher(), container.clock(), email, password
        )
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created admin {email.strip().lower()} (user {user_id})")


def _read_password_from_stdin(email: str) -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("standard input held no password")
    try:
        accounts.check_password_strength(password, email)
    except accounts.WeakPassword as error:
        raise click.ClickException(str(error)) from None
    return password


def _strong_password(value: str, email: str) -> str:
    """Check a typed password; click prompts again when this raises BadParameter."""
    try:
        accounts.check_password_strength(value, email)
    except accounts.WeakPassword as error:
        raise click.BadParameter(str(error)) from None
    return value


@main.group()
def users() -> None:
    """List accounts and change their admin rights."""


@users.command("list")
@click.pass_context
def list_users(ctx: click.Context) -> None:
    """Print every account: id, email, admin flag and active flag."""
    container = migrated_container(ctx)
    with container.uow() as uow:
        for user in uow.users.list():
            flags = [
                "admin" if user.is_admin else "user",
                "active" if user.is_active else "inactive",
            ]
            click.echo(f"{user.id}\t{user.email}\t{' '.join(flags)}")


@users.command("promote")
@click.argument("email")
@click.pass_context
def promote(ctx: click.Context, email: str) -> None:
    """Give the account EMAIL admin rights."""
    changed = _change_by_email(ctx, email, admin.promote_user)
    click.echo(f"{email} is {'now' if changed else 'already'} an admin")


@users.command("demote")
@click.argument("email")
@click.pass_context
def demote(ctx: click.Context, email: str) -> None:
    """Take admin rights away from EMAIL; the last active admin keeps them."""
    changed = _change_by_email(ctx, email, admin.demote_user)
    click.echo(f"{email} is {'no longer' if changed else 'not'} an admin")


def _change_by_email(ctx: click.Context, email: str, change: UserChange) -> bool:
    container = migrated_container(ctx)
    try:
        user_id = admin.find_user_id(container.uow(), email)
        return change(container.uow(), None, user_id)
    except admin.AdminError as error:
        raise click.ClickException(str(error)) from None
