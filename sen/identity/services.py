"""Writing accounts, posts and roles. Each service runs in one transaction, locks the rows it changes
and writes one audit event (see sen.core.audit)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sen.core import audit, notifications
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied, SenError
from sen.core.models import OrgUnit
from sen.identity import policies
from sen.identity.models import Employment, Role, RoleGrant, User

# --- Normalising and validating what people type ---------------------------------------------------

_CCCD_RE = re.compile(r"^[0-9]{12}$")
_TAX_CODE_RE = re.compile(r"^([0-9]{10})(?:-?([0-9]{3}))?$")
_MOBILE_RE = re.compile(r"^0[35789][0-9]{8}$")


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, details={field: [message]})


def normalize_national_id(value: str) -> str:
    """A CCCD is 12 digits; its first three digits are the code of the province of birth (001–096)."""
    cleaned = re.sub(r"[\s.]", "", value or "")
    if not _CCCD_RE.match(cleaned):
        raise _invalid("national_id", _("Số CCCD phải gồm đúng 12 chữ số."))
    if not 1 <= int(cleaned[:3]) <= 96:
        raise _invalid("national_id", _("Số CCCD không hợp lệ: ba chữ số đầu phải là mã tỉnh từ 001 đến 096."))
    return cleaned


def normalize_tax_code(value: str) -> str:
    """A tax code is 10 digits, or 13 for a branch: written 0312345678-001."""
    cleaned = re.sub(r"[\s.]", "", value or "")
    match = _TAX_CODE_RE.match(cleaned)
    if not match:
        raise _invalid("tax_code", _("Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số (dạng 0312345678-001)."))
    head, branch = match.groups()
    return f"{head}-{branch}" if branch else head


def normalize_phone(value: str) -> str:
    """A Vietnamese mobile number: 10 digits starting 03, 05, 07, 08 or 09 (+84 is accepted)."""
    cleaned = re.sub(r"[\s.()-]", "", value or "")
    if cleaned.startswith("+84"):
        cleaned = "0" + cleaned[3:]
    elif cleaned.startswith("84") and len(cleaned) == 11:
        cleaned = "0" + cleaned[2:]
    if not _MOBILE_RE.match(cleaned):
        raise _invalid("phone", _("Số điện thoại di động phải gồm 10 chữ số và bắt đầu bằng 03, 05, 07, 08 hoặc 09."))
    return cleaned


def normalize_email(value: str, *, field: str = "email") -> str:
    cleaned = (value or "").strip().lower()
    try:
        validate_email(cleaned)
    except ValidationError as exc:
        raise _invalid(field, _("Địa chỉ thư điện tử không hợp lệ.")) from exc
    return cleaned


def normalize_login(value: str) -> str:
    """What a person types in the username box, as it is stored: lower-cased e-mail, CCCD digits,
    or the normalised tax code."""
    cleaned = (value or "").strip()
    if "@" in cleaned:
        return cleaned.lower()
    compact = re.sub(r"[\s.]", "", cleaned)
    match = _TAX_CODE_RE.match(compact)
    if match and (match.group(2) or len(compact) == 10):
        return normalize_tax_code(compact)
    return compact


def _require_name(full_name: str, field: str = "full_name") -> str:
    cleaned = " ".join((full_name or "").split())
    if not cleaned:
        raise _invalid(field, _("Vui lòng nhập họ và tên."))
    return cleaned


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            _("Mật khẩu chưa đủ an toàn."), details={"password": [str(message) for message in exc.messages]}
        ) from exc


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "kind": user.kind,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
    }


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied()


# --- Citizens and businesses ----------------------------------------------------------------------


def citizen_register(*, national_id: str, full_name: str, phone: str, email: str, password: str) -> User:
    """A citizen opens an account with their CCCD, which becomes their login."""
    national_id = normalize_national_id(national_id)
    return _account_register(
        User(username=national_id, national_id=national_id, kind=User.Kind.CITIZEN),
        identifier_field="national_id",
        duplicate_message=_("Số CCCD này đã được đăng ký. Vui lòng đăng nhập."),
        full_name=full_name,
        phone=phone,
        email=email,
        password=password,
    )


def business_register(*, tax_code: str, full_name: str, phone: str, email: str, password: str) -> User:
    """A business or organisation opens an account with its tax code, which becomes its login."""
    tax_code = normalize_tax_code(tax_code)
    return _account_register(
        User(username=tax_code, tax_code=tax_code, kind=User.Kind.BUSINESS),
        identifier_field="tax_code",
        duplicate_message=_("Mã số thuế này đã được đăng ký. Vui lòng đăng nhập."),
        full_name=full_name,
        phone=phone,
        email=email,
        password=password,
    )


def _account_register(
    user: User, *, identifier_field: str, duplicate_message: str, full_name: str, phone: str, email: str, password: str
) -> User:
    """Save a self-registered account (its login is its identifier), audit it, and welcome it by e-mail."""
    user.full_name = _require_name(full_name)
    user.phone = normalize_phone(phone)
    user.email = normalize_email(email)
    _check_password(password, user)
    user.set_password(password)
    identifier = getattr(user, identifier_field)
    duplicate = Conflict(duplicate_message, details={identifier_field: [duplicate_message]}, code="duplicate_account")
    if User.objects.filter(Q(username=identifier) | Q(**{identifier_field: identifier})).exists():
        raise duplicate
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            audit.record(actor=None, action="identity.user.register", obj=user, after=_user_snapshot(user))
            notifications.notify(recipient=user, template="account_registered", context={})
    except IntegrityError as exc:  # a concurrent registration of the same identifier
        raise duplicate from exc
    return user


def citizen_for_intake(*, actor: Any, national_id: str, full_name: str, phone: str) -> User:
    """The account of the person a one-stop officer receives a paper dossier for: found by CCCD, or
    opened for them (a citizen account without a password: they can log in later with VNeID, which
    links by CCCD). An existing account is never changed by the officer. Call inside the intake's
    transaction, so that a refused intake opens no account."""
    national_id = normalize_national_id(national_id)
    existing = User.objects.filter(Q(national_id=national_id) | Q(username=national_id)).first()
    if existing is not None:
        return existing
    user = User(
        username=national_id,
        national_id=national_id,
        kind=User.Kind.CITIZEN,
        full_name=_require_name(full_name),
        phone=normalize_phone(phone),
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            audit.record(actor=actor, action="identity.user.create_at_intake", obj=user, after=_user_snapshot(user))
    except IntegrityError:  # opened meanwhile by a concurrent intake: theirs
        existing = User.objects.filter(national_id=national_id).first()
        if existing is None:
            raise
        return existing
    return user


# --- Staff, posts and roles ------------------------------------------------------------------------


def _role(role_code: str) -> Role:
    try:
        return Role.objects.get(code=role_code)
    except Role.DoesNotExist as exc:
        raise InvalidInput(
            _("Không có vai trò “%(code)s”.") % {"code": role_code}, details={"role": [role_code]}
        ) from exc


def _grant(*, actor: Any, user: User, role: Role, unit: OrgUnit, valid_from: dt.date) -> tuple[RoleGrant, bool]:
    """Create the grant (or return the open one already there). Caller holds the user's row lock."""
    existing = RoleGrant.objects.filter(user=user, role=role, unit=unit, valid_to__isnull=True).first()
    if existing is not None:
        return existing, False
    grant = RoleGrant.objects.create(
        user=user,
        role=role,
        unit=unit,
        valid_from=valid_from,
        granted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if role.code in policies.ADMIN_ROLE_CODES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return grant, True


def _grant_snapshot(grant: RoleGrant) -> dict[str, Any]:
    return {
        "id": grant.pk,
        "role": grant.role.code,
        "unit": grant.unit.code,
        "valid_from": grant.valid_from,
        "valid_to": grant.valid_to,
    }


def _employment_snapshot(employment: Employment | None) -> dict[str, Any] | None:
    if employment is None:
        return None
    return {
        "id": employment.pk,
        "unit": employment.unit.code,
        "position": employment.position,
        "valid_from": employment.valid_from,
        "valid_to": employment.valid_to,
    }


def staff_create(
    *,
    actor: Any,
    email: str,
    full_name: str,
    unit: OrgUnit,
    position: str = "",
    roles: Iterable[str] = (),
    valid_from: dt.date | None = None,
    password: str | None = None,
    phone: str = "",
) -> User:
    """A civil servant's account: login = official e-mail (lower-cased), a post in `unit` from
    `valid_from` (default today) and the `roles` granted on `unit`. Without a password the account
    cannot log in with one until it is set (single sign-on still works)."""
    _require(policies.can_manage_people(actor, unit))
    email = normalize_email(email)
    domain = settings.SEN_STAFF_EMAIL_DOMAIN.lower()
    if not email.endswith("@" + domain):
        raise _invalid("email", _("Thư điện tử công vụ phải có đuôi @%(domain)s.") % {"domain": domain})
    role_objects = [_role(code) for code in dict.fromkeys(roles)]
    for role in role_objects:
        _require(policies.can_manage_people(actor, unit, role_code=role.code))
    start = valid_from or policies.today()
    user = User(
        username=email,
        email=email,
        kind=User.Kind.STAFF,
        full_name=_require_name(full_name),
        phone=normalize_phone(phone) if phone else "",
    )
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.password = make_password(None)
    duplicate = Conflict(
        _("Đã có tài khoản với thư điện tử công vụ này."),
        details={"email": [_("Đã có tài khoản với thư điện tử công vụ này.")]},
        code="duplicate_account",
    )
    if User.objects.filter(username=email).exists():
        raise duplicate
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            employment = Employment.objects.create(user=user, unit=unit, position=position, valid_from=start)
            grants = [
                _grant(actor=actor, user=user, role=role, unit=unit, valid_from=start)[0] for role in role_objects
            ]
            audit.record(
                actor=actor,
                action="identity.staff.create",
                obj=user,
                after={
                    **_user_snapshot(user),
                    "employment": _employment_snapshot(employment),
                    "roles": [_grant_snapshot(grant) for grant in grants],
                },
                acting_unit=unit,
            )
    except IntegrityError as exc:
        raise duplicate from exc
    return user


def _locked_staff(user: User) -> User:
    try:
        return User.objects.select_for_update().get(pk=user.pk, kind=User.Kind.STAFF)
    except User.DoesNotExist as exc:
        raise NotFound(_("Không tìm thấy cán bộ.")) from exc


def role_grant(
    *, actor: Any, user: User, role_code: str, unit: OrgUnit, valid_from: dt.date | None = None
) -> RoleGrant:
    """Grant a role on a unit from `valid_from` (default today). If the same open grant exists it is
    returned unchanged. Unit and province admins become Django staff users (the admin site)."""
    role = _role(role_code)
    _require(policies.can_manage_people(actor, unit, role_code=role.code))
    with transaction.atomic():
        locked = _locked_staff(user)
        was_staff = locked.is_staff
        grant, created = _grant(
            actor=actor, user=locked, role=role, unit=unit, valid_from=valid_from or policies.today()
        )
        if created:
            audit.record(
                actor=actor,
                action="identity.role.grant",
                obj=locked,
                before={"is_staff": was_staff},
                after={**_grant_snapshot(grant), "is_staff": locked.is_staff},
                acting_unit=unit,
            )
    user.is_staff = locked.is_staff
    return grant


def role_revoke(*, actor: Any, grant: RoleGrant, on_date: dt.date | None = None) -> RoleGrant:
    """End a grant on `on_date` (default today; valid_to is exclusive). Nothing is deleted."""
    _require(policies.can_manage_people(actor, grant.unit, role_code=grant.role.code))
    end = on_date or policies.today()
    with transaction.atomic():
        _locked_staff(grant.user)
        locked = RoleGrant.objects.select_for_update().select_related("role", "unit").get(pk=grant.pk)
        if locked.valid_to is not None:
            raise Conflict(_("Quyền này đã kết thúc."))
        before = _grant_snapshot(locked)
        locked.valid_to = max(end, locked.valid_from)
        locked.save(update_fields=["valid_to"])
        audit.record(
            actor=actor,
            action="identity.role.revoke",
            obj=locked.user,
            before=before,
            after=_grant_snapshot(locked),
            acting_unit=locked.unit,
        )
    return locked


def staff_transfer(
    *,
    actor: Any,
    user: User,
    new_unit: OrgUnit,
    on_date: dt.date,
    position: str = "",
    roles: Iterable[str] = (),
) -> Employment:
    """Move a person to `new_unit` on `on_date`: the open post and every open role grant end on that
    date (valid_to = on_date, exclusive), the new post and `roles` on `new_unit` begin on it.
    Nothing is deleted, so who-could-do-what-when stays answerable."""
    role_objects = [_role(code) for code in dict.fromkeys(roles)]
    _require(policies.can_manage_people(actor, new_unit))
    for role in role_objects:
        _require(policies.can_manage_people(actor, new_unit, role_code=role.code))
    with transaction.atomic():
        locked = _locked_staff(user)
        old = (
            Employment.objects.select_for_update()
            .select_related("unit")
            .filter(user=locked, valid_to__isnull=True)
            .first()
        )
        if old is not None:
            _require(policies.can_manage_people(actor, old.unit))
            if on_date < old.valid_from:
                raise _invalid(
                    "on_date",
                    _("Ngày điều động không được trước ngày bắt đầu công tác hiện tại (%(day)s).")
                    % {"day": old.valid_from.strftime("%d/%m/%Y")},
                )
        open_grants = list(
            RoleGrant.objects.select_for_update()
            .select_related("role", "unit")
            .filter(user=locked, valid_to__isnull=True)
            .order_by("id")
        )
        before = {"employment": _employment_snapshot(old), "roles": [_grant_snapshot(g) for g in open_grants]}
        if old is not None:
            old.valid_to = on_date
            old.save(update_fields=["valid_to"])
        for grant in open_grants:
            # A grant that had not started yet ends before it begins: an empty period, still kept.
            grant.valid_to = max(on_date, grant.valid_from)
            grant.save(update_fields=["valid_to"])
        employment = Employment.objects.create(user=locked, unit=new_unit, position=position, valid_from=on_date)
        new_grants = [
            _grant(actor=actor, user=locked, role=role, unit=new_unit, valid_from=on_date)[0] for role in role_objects
        ]
        audit.record(
            actor=actor,
            action="identity.staff.transfer",
            obj=locked,
            before=before,
            after={
                "employment": _employment_snapshot(employment),
                "roles": [_grant_snapshot(g) for g in new_grants],
                "ended_roles": [_grant_snapshot(g) for g in open_grants],
            },
            acting_unit=new_unit,
        )
    return employment


def user_update(*, actor: Any, user: User, full_name: str, phone: str, email: str, is_active: bool) -> User:
    """Province admins correct a person's details or disable the account."""
    _require(policies.is_province_admin(actor) or actor is None)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = _user_snapshot(locked)
        locked.full_name = _require_name(full_name)
        locked.phone = normalize_phone(phone) if phone else ""
        locked.email = normalize_email(email) if email else ""
        locked.is_active = is_active
        locked.save(update_fields=["full_name", "phone", "email", "is_active"])
        audit.record(
            actor=actor, action="identity.user.update", obj=locked, before=before, after=_user_snapshot(locked)
        )
    return locked


def role_update(*, actor: Any, role: Role, name: str, name_en: str, inherits_down: bool) -> Role:
    """Province admins rename a role or change whether it covers the units below."""
    _require(actor is None or policies.is_province_admin(actor))
    with transaction.atomic():
        locked = Role.objects.select_for_update().get(pk=role.pk)
        before = {"name": locked.name, "name_en": locked.name_en, "inherits_down": locked.inherits_down}
        locked.name = _require_name(name, "name")
        locked.name_en = (name_en or "").strip()
        locked.inherits_down = inherits_down
        locked.save(update_fields=["name", "name_en", "inherits_down"])
        audit.record(
            actor=actor,
            action="identity.role.update",
            obj=locked,
            before=before,
            after={"name": locked.name, "name_en": locked.name_en, "inherits_down": locked.inherits_down},
        )
    return locked


# --- Login: lockout after repeated failures ----------------------------------------------------------


class LoginFailed(SenError):
    code = "login_failed"
    status = 401
    default_message = "Tên đăng nhập hoặc mật khẩu không đúng."


class AccountLocked(SenError):
    code = "account_locked"
    status = 403
    default_message = "Tài khoản tạm thời bị khoá do đăng nhập sai nhiều lần."


def _unknown_login_key(login: str) -> str:
    return f"sen:login-failures:{login[:200]}"


def login_locked_until(login: str) -> dt.datetime | None:
    """When the lock on this login ends, or None. Logins that match no account are "locked" the same
    way (counted in the cache), so the messages never reveal whether an account exists."""
    login = normalize_login(login)
    now = timezone.now()
    user = User.objects.filter(username=login).only("locked_until").first()
    if user is not None:
        return user.locked_until if user.locked_until and user.locked_until > now else None
    state = cache.get(_unknown_login_key(login))
    if state and state.get("locked_until") and state["locked_until"] > now:
        return state["locked_until"]
    return None


def _lockout_period() -> dt.timedelta:
    return dt.timedelta(minutes=settings.SEN_LOGIN_LOCKOUT_MINUTES)


def login_failure(*, user: User, reason: str) -> bool:
    """Count one failed login (a wrong password or a wrong second-factor code). Returns True when
    this failure locks the account. Race-safe: the row is locked while counting."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        if locked.locked_until and locked.locked_until > now:
            # Locked by a parallel attempt since this one started: not counted again.
            audit.record(
                actor=None, action="identity.login.locked", obj=locked, after={"locked_until": locked.locked_until}
            )
            return True
        count = locked.failed_login_count + 1
        lock = count >= settings.SEN_LOGIN_MAX_FAILURES
        if lock:
            locked.locked_until = now + _lockout_period()
            locked.failed_login_count = 0
        else:
            locked.failed_login_count = count
        locked.save(update_fields=["failed_login_count", "locked_until"])
        audit.record(
            actor=None,
            action="identity.login.lockout" if lock else "identity.login.failure",
            obj=locked,
            after={"reason": reason, "failures": count, "locked_until": locked.locked_until if lock else None},
        )
    return lock


def _unknown_login_failure(login: str) -> None:
    key = _unknown_login_key(login)
    state = cache.get(key) or {"failures": 0, "locked_until": None}
    state["failures"] += 1
    if state["failures"] >= settings.SEN_LOGIN_MAX_FAILURES:
        state = {"failures": 0, "locked_until": timezone.now() + _lockout_period()}
    cache.set(key, state, timeout=int(_lockout_period().total_seconds()) + 60)
    with transaction.atomic():
        audit.record(
            actor=None,
            action="identity.login.failure",
            object_type="identity.login",
            object_id=login[:64] or "-",
            after={"reason": "unknown_account"},
        )


def login_authenticate(*, login: str, password: str) -> User:
    """Check a login and password. Raises AccountLocked while the account is locked (whatever the
    password), LoginFailed otherwise; counts failures, locks after SEN_LOGIN_MAX_FAILURES in a row,
    resets the count on success. Every outcome is audited. The second factor is the caller's step."""
    login = normalize_login(login)
    user = User.objects.filter(username=login).first()
    if user is None:
        make_password(password)  # spend the same time as a real check
        if login_locked_until(login):
            raise AccountLocked()
        _unknown_login_failure(login)
        raise LoginFailed()
    now = timezone.now()
    if user.locked_until and user.locked_until > now:
        with transaction.atomic():
            audit.record(
                actor=None, action="identity.login.locked", obj=user, after={"locked_until": user.locked_until}
            )
        raise AccountLocked()
    if not (user.check_password(password) and user.is_active):
        if login_failure(user=user, reason="password" if user.is_active else "inactive"):
            raise AccountLocked()
        raise LoginFailed()
    with transaction.atomic():
        locked = User.objects.select_for_update().only("locked_until").get(pk=user.pk)
        if locked.locked_until and locked.locked_until > timezone.now():
            locked_meanwhile = True  # by a parallel failed attempt: the lock stands
        else:
            locked_meanwhile = False
            User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
            user.failed_login_count, user.locked_until = 0, None
            audit.record(actor=user, action="identity.login.success", obj=user)
    if locked_meanwhile:
        raise AccountLocked()
    return user


# --- TOTP two-factor ------------------------------------------------------------------------------


def totp_device_start(*, actor: User) -> TOTPDevice:
    """The unconfirmed TOTP device a person is setting up (a fresh secret each time they start)."""
    if not policies.may_use_totp(actor):
        raise PermissionDenied(_("Xác thực hai lớp dành cho tài khoản cán bộ."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)
        device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=actor, name="Sen", confirmed=False)
            audit.record(actor=actor, action="identity.totp.start", obj=actor, after={"device": device.pk})
    return device


def totp_device_confirm(*, actor: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm a device with a code from the app; the person's other TOTP devices are retired."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor)
        code = re.sub(r"\s", "", token or "")
        if not (code.isdigit() and locked.verify_token(code)):
            raise _invalid("token", _("Mã xác thực không đúng hoặc đã hết hạn."))
        retired = list(
            TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=locked.pk).values_list("pk", flat=True)
        )
        TOTPDevice.objects.filter(pk__in=retired).update(confirmed=False)
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        audit.record(
            actor=actor, action="identity.totp.confirm", obj=actor, after={"device": locked.pk, "retired": retired}
        )
    return locked


def totp_verify(*, user: User, token: str) -> TOTPDevice:
    """The second login step: a code from a confirmed device, or LoginFailed (counted for lockout)."""
    if user.locked_until and user.locked_until > timezone.now():
        raise AccountLocked()
    code = re.sub(r"\s", "", token or "")
    device = None
    if code.isdigit():
        for candidate in TOTPDevice.objects.filter(user=user, confirmed=True):
            if candidate.verify_token(code):
                device = candidate
                break
    if device is None:
        if login_failure(user=user, reason="otp"):
            raise AccountLocked()
        raise LoginFailed(_("Mã xác thực không đúng hoặc đã hết hạn."))
    with transaction.atomic():
        audit.record(actor=user, action="identity.login.otp", obj=user, after={"device": device.pk})
    return device
