"""The demo portal's people and departments, generated deterministically from a seed."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from bx24presence.demo import names

MAX_USERS = 20_000
USER_TYPES = ("employee", "extranet", "email", "imconnector", "bot")
PHONE_KINDS = ("work_phone", "personal_mobile", "inner_phone", "personal_phone")

# user.get's IS_REAL_USER filter leaves these out (docs/bitrix24-api.md §3.1).
NOT_REAL_TYPES = frozenset({"email", "imconnector", "bot"})


@dataclass(frozen=True, slots=True)
class Department:
    """One node of the company structure (an ``im.department.get`` row)."""

    id: int
    name: str
    parent: int | None
    manager_id: int


@dataclass(frozen=True, slots=True)
class DemoUser:
    """One account on the demo portal, as stored in its database.

    ``user_type`` follows the intranet ``USER_TYPE`` values (docs/bitrix24-api.md §3.1); a fired
    employee is an ``employee`` with ``active=False``. ``photo_hash`` is empty when the user
    has no photo. The last four fields feed the presence simulation (:mod:`activity`).
    """

    id: int
    first_name: str
    last_name: str
    gender: str = "M"
    user_type: str = "employee"
    active: bool = True
    login: str = ""
    email: str = ""
    website: str = ""
    work_position: str | None = None
    departments: tuple[int, ...] = ()
    phones: tuple[tuple[str, str], ...] = ()
    birthday: date | None = None
    vacation: tuple[date, date] | None = None
    color: str = "#556574"
    photo_hash: str = ""
    avatar_broken: bool = False
    avatar_relative: bool = False
    time_zone: str = ""
    registered: date | None = None
    bot_code: str | None = None
    fired_on: date | None = None
    never_logged_in: bool = False
    mobile_only: bool = False
    desktop_app: bool = False
    propensity: float = 1.0

    @property
    def name(self) -> str:
        """The full name as ``#NAME# #LAST_NAME#``, or the login when both are empty."""
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.login

    @property
    def external_auth_id(self) -> str:
        """``bot``, ``imconnector``, ``email`` or ``default`` (docs/bitrix24-api.md §1.3)."""
        return self.user_type if self.user_type in NOT_REAL_TYPES else "default"

    @property
    def is_real(self) -> bool:
        """Whether ``user.get`` can see the account (not a bot, connector or e-mail user)."""
        return self.user_type not in NOT_REAL_TYPES

    @property
    def is_colleague(self) -> bool:
        """An active employee: who a correct client must list."""
        return self.active and self.user_type == "employee"

    def on_vacation(self, day: date) -> bool:
        """Whether ``day`` falls inside the user's vacation."""
        return self.vacation is not None and self.vacation[0] <= day <= self.vacation[1]


@dataclass(frozen=True, slots=True)
class Population:
    """Everyone on the portal, keyed by id in id order, and the department tree."""

    seed: int
    users: Mapping[int, DemoUser]
    departments: Mapping[int, Department]


def generate(users: int, seed: int, today: date) -> Population:
    """Build a portal with exactly ``users`` active employees, plus the usual extras.

    The extras are mixed into the id sequence as on a real portal: bots (about 1%, at
    least 2), open-line connector users (2%), fired employees (5%), extranet users (1%) and
    e-mail users. Id 1 is the administrator, an active employee who owns the webhook.
    The result depends only on ``seed`` and ``today`` (one colleague's birthday is today).
    """
    if not 1 <= users <= MAX_USERS:
        raise ValueError(f"users must be between 1 and {MAX_USERS}, not {users}")
    rng = random.Random(seed)
    kinds = _kinds(users, rng)
    department_count = max(1, round(users / 15))
    people: dict[int, DemoUser] = {}
    seen_emails: set[str] = set()
    bots = 0
    for uid, kind in enumerate(kinds, start=1):
        if kind == "bot":
            people[uid] = _bot(rng, uid, bots)
            bots += 1
        else:
            people[uid] = _person(
                rng,
                uid,
                kind,
                today=today,
                department_count=department_count,
                seen_emails=seen_emails,
            )
    _decorate(people, today, rng)
    departments = _departments(department_count, people, rng)
    return Population(seed, MappingProxyType(people), MappingProxyType(departments))


def new_user(seed: int, uid: int, today: date, department_ids: list[int]) -> DemoUser:
    """A fresh active employee for ``add_user``, deterministic for ``(seed, uid)``."""
    rng = random.Random(seed * 1_000_003 + uid)
    user = _person(
        rng,
        uid,
        "employee",
        today=today,
        department_count=max(1, len(department_ids)),
        seen_emails=set(),
    )
    depts = tuple(department_ids[i - 1] for i in user.departments) if department_ids else ()
    return replace(user, departments=depts, never_logged_in=False)


def _kinds(users: int, rng: random.Random) -> list[str]:
    """The kind of every id in order; id 1 is the administrator."""
    extras = (
        ["fired"] * round(users * 0.05)
        + ["bot"] * max(2, round(users * 0.01))
        + ["imconnector"] * round(users * 0.02)
        + ["extranet"] * (max(1, round(users * 0.01)) if users >= 20 else 0)
        + ["email"] * (max(1, round(users * 0.005)) if users >= 20 else 0)
    )
    rest = ["employee"] * (users - 1) + extras
    rng.shuffle(rest)
    return ["admin", *rest]


def _person(
    rng: random.Random,
    uid: int,
    kind: str,
    *,
    today: date,
    department_count: int,
    seen_emails: set[str],
) -> DemoUser:
    """One human account of the given kind, with realistic optional fields.

    Uses ``rng.random()`` and plain arithmetic rather than ``choice``/``randint``: 20,000
    people must be ready in well under a second.
    """
    rand = rng.random
    russian = rand() < 0.5
    female = rand() < 0.5
    gender = "F" if female else "M"
    if russian:
        first = _pick(names.RU_FEMALE if female else names.RU_MALE, rand())
        last = names.ru_last_name(_pick(names.RU_LAST, rand()), gender)
    else:
        first = _pick(names.EN_FEMALE if female else names.EN_MALE, rand())
        last = _pick(names.EN_LAST, rand())
    login = _login(first, last)
    user_type = "employee" if kind in ("admin", "fired") else kind
    email = _email(login, uid, user_type, rand(), seen_emails)

    roll = rand()
    if kind == "admin":
        position: str | None = "Генеральный директор" if russian else "Chief Executive Officer"
    elif roll < 0.08:
        position = None
    elif roll < 0.18:
        position = ""
    else:
        position = _pick(names.POSITIONS_RU if russian else names.POSITIONS_EN, rand())

    departments: tuple[int, ...] = ()
    if user_type == "employee":
        first_dept = 1 if kind == "admin" else 1 + int(rand() * department_count)
        second = 1 + int(rand() * department_count) if rand() < 0.1 else first_dept
        departments = (first_dept,) if second == first_dept else (first_dept, second)

    birthday = None
    if rand() < 0.85:
        birthday = date(1962 + int(rand() * 42), 1, 1) + timedelta(days=int(rand() * 365))

    has_photo = kind == "admin" or rand() < 0.85
    return DemoUser(
        id=uid,
        first_name=first,
        last_name=last,
        gender=gender,
        user_type=user_type,
        active=kind != "fired",
        login=login,
        email=email,
        website=f"https://{names.translit(last)}.example.com" if rand() < 0.05 else "",
        work_position=position,
        departments=departments,
        phones=_phones(rng, russian),
        birthday=birthday,
        color=_color(uid, gender),
        photo_hash=f"{int(rand() * 4096):03x}" if has_photo else "",
        avatar_relative=rand() < 0.3,
        time_zone=_pick(names.TIME_ZONES, rand()),
        registered=today - timedelta(days=30 + int(rand() * 2970)),
        fired_on=today - timedelta(days=1 + int(rand() * 400)) if kind == "fired" else None,
        never_logged_in=user_type in ("email", "imconnector"),
        mobile_only=rand() < 0.05,
        desktop_app=rand() < 0.5,
        propensity=0.5 + rand(),
    )


def _pick(options: tuple[str, ...] | list[str], roll: float) -> str:
    """The option a uniform ``roll`` in [0, 1) lands on."""
    return options[int(roll * len(options))]


@lru_cache(maxsize=8192)
def _login(first: str, last: str) -> str:
    """``first.last`` in Latin letters, as portals create logins from e-mail addresses."""
    return f"{names.translit(first)}.{names.translit(last)}".replace("'", "")


_MAIL_DOMAINS = {
    "email": "gmail.com",
    "extranet": "partner.example.org",
    "imconnector": "imconnector.local",
}


def _email(login: str, uid: int, user_type: str, roll: float, seen: set[str]) -> str:
    """A unique work address; external users have public mail, a few people have none."""
    if roll < 0.03 and user_type == "employee":
        return ""
    address = f"{login}@{_MAIL_DOMAINS.get(user_type, 'demo-company.com')}"
    if address in seen:
        address = address.replace("@", f"{uid}@")
    seen.add(address)
    return address


def _phones(rng: random.Random, russian: bool) -> tuple[tuple[str, str], ...]:
    """A varying subset of the four phone kinds; a quarter of the people have none."""
    rand = rng.random
    if rand() < 0.25:
        return ()
    d = int(rand() * 10**7)
    found: list[tuple[str, str]] = []
    if rand() < 0.6:
        ru = f"+7 495 {d // 10**4:03d}-{d // 100 % 100:02d}-{d % 100:02d}"
        found.append(("work_phone", ru if russian else f"+44 20 7946 {d % 10**4:04d}"))
    if rand() < 0.55:
        ru = f"+7 9{d % 100:02d} {d // 100 % 1000:03d}-{d % 97:02d}-{d % 89:02d}"
        found.append(("personal_mobile", ru if russian else f"+1 202 555 {d % 10**4:04d}"))
    if rand() < 0.4:
        found.append(("inner_phone", str(100 + d % 900)))
    if rand() < 0.1:
        found.append(("personal_phone", f"+7 812 {d % 1000:03d}-{d % 89:02d}-{d % 79:02d}"))
    return tuple(found)


def _color(uid: int, gender: str) -> str:
    """A palette colour derived from the id and gender, as when ``b_im_status.COLOR`` is unset."""
    return names.PALETTE[(uid * 7 + (3 if gender == "F" else 0)) % len(names.PALETTE)]


def _bot(rng: random.Random, uid: int, index: int) -> DemoUser:
    """A chat bot: visible to ``im.*`` methods, invisible to ``user.get``."""
    first, last, code = names.BOTS[index % len(names.BOTS)]
    if index >= len(names.BOTS):
        code = f"{code}{index}"
    return DemoUser(
        id=uid,
        first_name=first,
        last_name=last,
        user_type="bot",
        login=f"bot_{code}",
        work_position=None,
        color=_color(uid, "M"),
        photo_hash=f"{rng.getrandbits(12):03x}",
        bot_code=code,
        never_logged_in=True,
    )


def _decorate(people: dict[int, DemoUser], today: date, rng: random.Random) -> None:
    """Cases a client must meet: long names, a birthday today, vacations, broken avatars."""
    colleagues = [u.id for u in people.values() if u.is_colleague and u.id != 1]
    if len(colleagues) + 1 >= 100:
        for (first, last, gender), slot in zip(names.LONG_NAMES, (9, 39, 69), strict=True):
            uid = colleagues[slot]
            people[uid] = replace(people[uid], first_name=first, last_name=last, gender=gender)
    if len(colleagues) + 1 >= 50:
        uid = colleagues[4]
        year = 1992 if (today.month, today.day) == (2, 29) else 1990
        people[uid] = replace(people[uid], birthday=today.replace(year=year))
    for uid in colleagues:
        roll = rng.random()
        if roll < 0.03:
            start = today - timedelta(days=rng.randint(0, 10))
            vacation = (start, today + timedelta(days=rng.randint(0, 14)))
        elif roll < 0.05:
            start = today + timedelta(days=rng.randint(3, 40))
            vacation = (start, start + timedelta(days=rng.randint(3, 14)))
        elif roll < 0.06:
            people[uid] = replace(people[uid], never_logged_in=True)
            continue
        else:
            continue
        people[uid] = replace(people[uid], vacation=vacation)
    with_photo = [u.id for u in people.values() if u.photo_hash and u.id != 1]
    for uid in rng.sample(with_photo, k=min(len(with_photo), max(1, len(people) // 100))):
        people[uid] = replace(people[uid], avatar_broken=True)


def _departments(
    count: int, people: dict[int, DemoUser], rng: random.Random
) -> dict[int, Department]:
    """A tree rooted at the head office; each department is led by one of its members."""
    members: dict[int, list[int]] = {}
    for user in people.values():
        if user.is_colleague:
            for dept in user.departments:
                members.setdefault(dept, []).append(user.id)
    result: dict[int, Department] = {1: Department(1, names.ROOT_DEPARTMENT, None, 1)}
    pool = names.DEPARTMENTS
    for dept_id in range(2, count + 1):
        index = dept_id - 2
        name = pool[index % len(pool)]
        round_ = index // len(pool)
        if round_:
            city = names.CITIES[(round_ - 1) % len(names.CITIES)]
            lap = (round_ - 1) // len(names.CITIES)
            name = f"{name} ({city})" if not lap else f"{name} ({city} {lap + 1})"
        parent = 1 + int(rng.random() ** 2 * (dept_id - 1))
        staff = members.get(dept_id)
        manager = rng.choice(staff[:5]) if staff else 1
        result[dept_id] = Department(dept_id, name, parent, manager)
    return result
