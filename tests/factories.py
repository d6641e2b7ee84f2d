"""Factories for the rows tests need: users with roles, fund accounts, deployed test processes."""
from __future__ import annotations

import itertools
from pathlib import Path

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from workflows.actors import Actor
from workflows.bundles import collect_bundle
from workflows.definitions import deploy
from workflows.models import FundAccount, Role, User

DATA = Path(__file__).resolve().parent / 'data'
PASSWORD = 'factory-pass-1'
_HASH = generate_password_hash(PASSWORD, method='pbkdf2:sha256:1000')  # tests only: fast
_SEQ = itertools.count(1)


def make_user(session, *roles, username=None, id_number=None, name=None) -> User:
    """A new active user holding `roles` (role codes)."""
    n = next(_SEQ)
    user = User(username=username or f'user{n}', full_name=name or f'测试用户{n}',
                id_number=id_number or f'1101011990{n:08d}', password_hash=_HASH,
                roles=list(session.scalars(select(Role).where(Role.code.in_(roles)))))
    session.add(user)
    session.flush()
    return user


def make_account(session, holder='测试账户', balance_yuan=50_000, id_number=None) -> FundAccount:
    """A new fund account with a fresh account and ID number."""
    n = next(_SEQ)
    account = FundAccount(account_no=f'7{n:011d}', holder_name=holder, id_number=id_number or f'3201011985{n:08d}',
                          balance=balance_yuan * 100, employer='测试单位')
    session.add(account)
    session.flush()
    return account


def bundle_of(name: str) -> dict[str, str]:
    """The bundle of a process defined under tests/data/processes/."""
    return collect_bundle(DATA / 'processes' / f'{name}.bpmn', DATA / 'processes', DATA / 'rules', DATA / 'forms')


def deploy_test_process(session, name: str):
    """Deploy a process from tests/data and commit."""
    definition = deploy(session, bundle_of(name))
    session.commit()
    return definition


def actor(user, at=None) -> Actor:
    """`user` acting now (or at `at`, naive UTC)."""
    return Actor(user, at) if at else Actor(user)
