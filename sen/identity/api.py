"""Identity API: who am I."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from sen.core.exceptions import NotAuthenticated
from sen.identity import selectors
from sen.identity.models import User

router = Router(tags=["identity"])


class UnitOut(Schema):
    code: str
    name: str


class RoleOut(Schema):
    role: str
    unit_code: str


class MeOut(Schema):
    username: str
    kind: str
    full_name: str
    email: str
    unit: UnitOut | None
    position: str
    roles: list[RoleOut]


def _authenticated_user(request: HttpRequest) -> User:
    """The person behind the API's auth: a session user, or the user of a bearer token."""
    auth = getattr(request, "auth", None)
    for candidate in (auth, getattr(auth, "user", None), request.user):
        if isinstance(candidate, User) and candidate.is_authenticated and candidate.is_active:
            return candidate
    raise NotAuthenticated()


@router.get("/me", response=MeOut, summary="Tài khoản đang đăng nhập")
def me(request: HttpRequest) -> MeOut:
    """The logged-in person: account, current unit and post, roles valid today with their units."""
    user = _authenticated_user(request)
    profile = selectors.profile_of(user, with_history=False)
    employment = profile.employment
    return MeOut(
        username=user.username,
        kind=user.kind,
        full_name=user.full_name,
        email=user.email,
        unit=UnitOut(code=employment.unit.code, name=employment.unit.name) if employment else None,
        position=employment.position if employment else "",
        roles=[RoleOut(role=grant.role.code, unit_code=grant.unit.code) for grant in profile.grants],
    )
